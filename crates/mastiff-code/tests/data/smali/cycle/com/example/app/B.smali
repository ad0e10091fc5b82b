.class public Lcom/example/app/B;
.super Lcom/example/app/A;
