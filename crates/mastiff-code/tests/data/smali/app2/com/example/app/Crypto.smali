.class public Lcom/example/app/Crypto;
.super Ljava/lang/Object;
.source "Duplicate.java"
