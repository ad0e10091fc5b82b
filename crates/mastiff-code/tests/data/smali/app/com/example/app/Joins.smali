# Register state across forward branches: values set on every path reaching a join are
# known there; values that differ between paths are not.
.class public Lcom/example/app/Joins;
.super Ljava/lang/Object;

# The query is built before an if-nez null check (as Kotlin emits) and used after it.
.method public static afterNullCheck(Ljava/lang/Object;Landroid/database/sqlite/SQLiteDatabase;)V
    .registers 4
    const-string v0, "AES/ECB/PKCS5Padding"
    if-nez p0, :joined
    invoke-static {}, Lkotlin/jvm/internal/Intrinsics;->throwNpe()V
    :joined
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method

# if/else assigning different constants: unknown after the join.
.method public static differentPaths(Z)V
    .registers 3
    if-eqz p0, :else
    const-string v0, "DES"
    goto :joined
    :else
    const-string v0, "AES/GCM/NoPadding"
    :joined
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method

# if/else assigning the same constant: known after the join.
.method public static samePaths(Z)V
    .registers 3
    if-eqz p0, :else
    const-string v0, "ARCFOUR"
    goto :joined
    :else
    const-string v0, "ARCFOUR"
    :joined
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method

# A loop head is reached by a backward jump: nothing is assumed there.
.method public static loop(I)V
    .registers 3
    const-string v0, "Blowfish"
    :head
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    const-string v0, "DESede"
    add-int/lit8 p0, p0, -1
    if-gtz p0, :head
    return-void
.end method

# A constant on one path, an Intent extra on the other: the extra may reach the call.
.method public static maybeExtra(Landroid/content/Intent;Z)V
    .registers 4
    const-string v0, "demo.txt"
    if-eqz p1, :joined
    const-string v1, "name"
    invoke-virtual {p0, v1}, Landroid/content/Intent;->getStringExtra(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    :joined
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method

# Two different calls on the two paths: unknown.
.method public static twoCalls(Landroid/content/Intent;Z)V
    .registers 4
    const-string v1, "name"
    invoke-virtual {p0, v1}, Landroid/content/Intent;->getStringExtra(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    if-eqz p1, :joined
    invoke-virtual {p0}, Landroid/content/Intent;->getAction()Ljava/lang/String;
    move-result-object v0
    :joined
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method
