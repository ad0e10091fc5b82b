.class public Lcom/example/app/AllowAll;
.super Ljava/lang/Object;
.implements Ljavax/net/ssl/HostnameVerifier;

.method public verify(Ljava/lang/String;Ljavax/net/ssl/SSLSession;)Z
    .registers 4
    const/4 v0, 1
    return v0
.end method

.method public sometimes(I)Z
    .registers 3
    if-eqz p1, :no
    const/4 v0, 1
    return v0
    :no
    const/4 v0, 0
    return v0
.end method

.method public both(I)Z
    .registers 3
    if-eqz p1, :other
    const/4 v0, 1
    return v0
    :other
    const/4 v0, 1
    return v0
.end method
