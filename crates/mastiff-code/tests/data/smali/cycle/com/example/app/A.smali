.class public Lcom/example/app/A;
.super Lcom/example/app/B;
