.class public Lcom/example/app/Second;
.super Lcom/example/app/MyClient;

.method public run()V
    .registers 2
    new-instance v0, Lcom/example/app/Crypto;
    invoke-direct {v0}, Lcom/example/app/Crypto;-><init>()V
    invoke-virtual {v0}, Lcom/example/app/Crypto;->ecb()V
    const-string v0, "only in the second dex"
    return-void
.end method
