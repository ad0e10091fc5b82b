.class public Lcom/example/app/ImplMyTm;
.super Ljava/lang/Object;
.implements Lcom/example/app/MyTm;
