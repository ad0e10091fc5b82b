.class public Lcom/example/app/Crypto;
.super Ljava/lang/Object;

.field private key:[B

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public ecb()V
    .registers 2
    const-string v0, "AES/ECB/PKCS5Padding"
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    move-result-object v0
    return-void
.end method

.method public rsa()V
    .registers 3
    const-string v0, "RSA"
    invoke-static {v0}, Ljava/security/KeyPairGenerator;->getInstance(Ljava/lang/String;)Ljava/security/KeyPairGenerator;
    move-result-object v0
    const/16 v1, 1024
    invoke-virtual {v0, v1}, Ljava/security/KeyPairGenerator;->initialize(I)V
    return-void
.end method

.method public constKey()V
    .registers 4
    const/16 v0, 8
    new-array v0, v0, [B
    fill-array-data v0, :key
    new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
    const-string v2, "AES"
    invoke-direct {v1, v0, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    return-void
    :key
    .array-data 1
        0x1t 0x2t 0x3t 0x4t 0x5t 0x6t 0x7t -0x1t
    .end array-data
.end method

.method public zeroIv()V
    .registers 3
    const/16 v0, 16
    new-array v0, v0, [B
    new-instance v1, Ljavax/crypto/spec/IvParameterSpec;
    invoke-direct {v1, v0}, Ljavax/crypto/spec/IvParameterSpec;-><init>([B)V
    return-void
.end method

.method public aputIv()V
    .registers 4
    const/4 v0, 2
    new-array v0, v0, [B
    const/4 v1, 0
    const/4 v2, 7
    aput-byte v2, v0, v1
    new-instance v1, Ljavax/crypto/spec/IvParameterSpec;
    invoke-direct {v1, v0}, Ljavax/crypto/spec/IvParameterSpec;-><init>([B)V
    return-void
.end method

.method public keystore()V
    .registers 4
    new-instance v0, Landroid/security/keystore/KeyGenParameterSpec$Builder;
    const-string v1, "alias"
    const/4 v2, 3
    invoke-direct {v0, v1, v2}, Landroid/security/keystore/KeyGenParameterSpec$Builder;-><init>(Ljava/lang/String;I)V
    const/16 v1, 256
    invoke-virtual {v0, v1}, Landroid/security/keystore/KeyGenParameterSpec$Builder;->setKeySize(I)Landroid/security/keystore/KeyGenParameterSpec$Builder;
    move-result-object v0
    const/4 v1, 1
    invoke-virtual {v0, v1}, Landroid/security/keystore/KeyGenParameterSpec$Builder;->setUserAuthenticationRequired(Z)Landroid/security/keystore/KeyGenParameterSpec$Builder;
    move-result-object v0
    invoke-virtual {v0}, Landroid/security/keystore/KeyGenParameterSpec$Builder;->build()Landroid/security/keystore/KeyGenParameterSpec;
    return-void
.end method

.method public getBytesKey()V
    .registers 4
    const-string v0, "secretkey1234567"
    invoke-virtual {v0}, Ljava/lang/String;->getBytes()[B
    move-result-object v0
    new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
    const-string v2, "AES"
    invoke-direct {v1, v0, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    return-void
.end method

.method public builderUrl()V
    .registers 3
    new-instance v0, Ljava/lang/StringBuilder;
    invoke-direct {v0}, Ljava/lang/StringBuilder;-><init>()V
    const-string v1, "http://"
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    move-result-object v0
    const-string v1, "example.com:"
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    move-result-object v0
    const/16 v1, 8080
    invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(I)Ljava/lang/StringBuilder;
    move-result-object v0
    invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v0
    invoke-static {v0}, Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;
    return-void
.end method

.method public staticAlg()V
    .registers 2
    sget-object v0, Lcom/example/app/Consts;->ALG:Ljava/lang/String;
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    sget-object v0, Lcom/example/app/Consts;->KEY:[B
    new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
    invoke-direct {v1, v0, v0}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
    sget-object v0, Lcom/example/app/Consts;->mutable:Ljava/lang/String;
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method

.method public misc(Ljava/lang/String;J)V
    .registers 9
    const-class v0, Lcom/example/app/Crypto;
    const/high16 v1, 0x40000000
    const/4 v2, 0
    const-wide v3, 0x123456789aL
    invoke-static {v0, v1, v2, v3, v4}, Lcom/example/app/Util;->take(Ljava/lang/Class;FLjava/lang/Object;J)V
    invoke-static {p1, p2, p3}, Lcom/example/app/Util;->param(Ljava/lang/String;J)V
    invoke-virtual {p0}, Ljava/lang/Object;->hashCode()I
    new-instance v0, Ljava/io/File;
    invoke-static {v0}, Lcom/example/app/Util;->obj(Ljava/lang/Object;)V
    iput-object v2, p0, Lcom/example/app/Crypto;->key:[B
    iget-object v0, p0, Lcom/example/app/Crypto;->key:[B
    return-void
.end method

.method public branch(I)V
    .registers 3
    const-string v0, "AES"
    if-eqz p1, :done
    const-string v0, "AES/GCM/NoPadding"
    :done
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method

.method public handler()V
    .registers 2
    const-string v0, "DES"
    :try_start
    invoke-static {}, Lcom/example/app/Util;->mayThrow()V
    :try_end
    .catch Ljava/lang/Exception; {:try_start .. :try_end} :catch
    :catch
    invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
    return-void
.end method

.method public switcher(I)I
    .registers 3
    const/4 v0, 5
    packed-switch p1, :table
    return v0
    :case
    return v0
    :table
    .packed-switch 0x1
        :case
    .end packed-switch
.end method
