.class public Lcom/example/app/SubTrust;
.super Lcom/example/app/TrustAll;
