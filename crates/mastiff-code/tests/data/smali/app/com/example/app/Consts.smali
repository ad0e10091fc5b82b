.class public final Lcom/example/app/Consts;
.super Ljava/lang/Object;

.field public static final ALG:Ljava/lang/String; = "DES"
.field public static final KEY:[B
.field public static mutable:Ljava/lang/String; = "RC4"
.field public static final SIZE:I = 0x200

.method static constructor <clinit>()V
    .registers 1
    const/4 v0, 4
    new-array v0, v0, [B
    fill-array-data v0, :data
    sput-object v0, Lcom/example/app/Consts;->KEY:[B
    return-void
    :data
    .array-data 1
        0x6bt 0x65t 0x79t 0x21t
    .end array-data
.end method
