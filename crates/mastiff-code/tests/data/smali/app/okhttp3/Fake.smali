.class public Lokhttp3/Fake;
.super Ljava/lang/Object;

.method public static des()V
    .registers 1
    const-string v0, "DES"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method
