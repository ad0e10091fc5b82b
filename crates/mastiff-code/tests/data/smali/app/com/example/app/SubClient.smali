.class public Lcom/example/app/SubClient;
.super Lcom/example/app/MyClient;
