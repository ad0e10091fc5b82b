.class public interface abstract Lcom/example/app/MyTm;
.super Ljava/lang/Object;
.implements Ljavax/net/ssl/X509TrustManager;
