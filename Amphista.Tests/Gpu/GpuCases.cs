using Amphista.Tensors;
using Amphista.Tests.Kernels;
using FsCheck.Fluent;
using Gen = FsCheck.Fluent.Gen;

namespace Amphista.Tests.Gpu;

/// <summary>
/// Random kernel inputs for the GPU kernels, bounded by a size: tiny on ILGPU's CPU simulator (each simulated
/// warp costs milliseconds), larger on a real GPU. Widths mix any length with multiples of 4, so both the
/// aligned 16-byte chunk loads and the element-by-element path with its partial last chunk are exercised.
/// </summary>
public sealed record GpuSizes(int MaxRows, int MaxWidth, int MaxOut, int MaxExtraSlots, int MaxHalfHeadDim)
{
    /// <summary>Tiny shapes for the simulator.</summary>
    public static GpuSizes Simulator { get; } = new(MaxRows: 5, MaxWidth: 96, MaxOut: 12, MaxExtraSlots: 7, MaxHalfHeadDim: 8);

    /// <summary>
    /// Long rows and few outputs for the simulator: several chunks per lane, so the matmul loops that load
    /// two or four chunks ahead run too.
    /// </summary>
    public static GpuSizes LongRows { get; } = new(MaxRows: 5, MaxWidth: 700, MaxOut: 5, MaxExtraSlots: 7, MaxHalfHeadDim: 8);

    /// <summary>Shapes a GPU runs in microseconds, with more than one chunk per lane and several blocks.</summary>
    public static GpuSizes Cuda { get; } = new(MaxRows: 9, MaxWidth: 700, MaxOut: 150, MaxExtraSlots: 80, MaxHalfHeadDim: 64);

    /// <summary>
    /// Long rows and caches for the simulator's products over many tokens and attention over several 32-slot parts:
    /// rows of up to three 128-element stripes (each lane several chunks), up to three tiles of weight rows, few
    /// attention rows and heads (it pays per row, head and part).
    /// </summary>
    public static GpuSizes Longer { get; } = new(MaxRows: 3, MaxWidth: 300, MaxOut: 20, MaxExtraSlots: 100, MaxHalfHeadDim: 8);

    /// <summary>The most tokens of a product: every tree this project verifies fits.</summary>
    public const int MaxTokens = 64;

    /// <summary>Products over 1 to 64 tokens: the tile kernel's passes, row and token warps, and partial tiles.</summary>
    public FsCheck.Gen<MatMulCase> Tokens => Products(MaxTokens);

    /// <summary>A decoder layer's fused steps: its widths, heads and weight type.</summary>
    public FsCheck.Gen<LayerCase> Layer =>
        from t in Gen.Choose(1, MaxRows)
        from d in Width
        from f in Gen.Choose(1, MaxOut)
        from kv in Gen.Choose(1, 2)
        from g in Gen.Choose(1, 2)
        from half in Gen.Choose(1, MaxHalfHeadDim)
        from type in Gen.Elements(DType.F32, DType.BF16)
        from seed in Gen.Choose(0, 1 << 20)
        select new LayerCase(t, d, f, kv, g, 2 * half, type, seed);

    public FsCheck.Gen<int> Width => Gen.OneOf(Gen.Choose(1, MaxWidth), Gen.Choose(1, MaxWidth / 4).Select(q => 4 * q));

    public FsCheck.Gen<MatMulCase> MatMul => Products(MaxRows);

    private FsCheck.Gen<MatMulCase> Products(int maxTokens) =>
        from t in Gen.Choose(1, maxTokens)
        from d in Width
        from o in Gen.Choose(1, MaxOut)
        from type in Gen.Elements(DType.F32, DType.BF16)
        from seed in Gen.Choose(0, 1 << 20)
        select new MatMulCase(t, d, o, type, seed);

    public FsCheck.Gen<RowsCase> Rows =>
        from t in Gen.Choose(1, MaxRows)
        from n in Width
        from seed in Gen.Choose(0, 1 << 20)
        select new RowsCase(t, n, seed);

    /// <summary>At most 2 key/value heads of at most 2 query heads each: the simulator pays per (row, head).</summary>
    public FsCheck.Gen<AttentionCase> Attention =>
        from t in Gen.Choose(1, Math.Min(MaxRows, 3))
        from extra in Gen.Choose(0, MaxExtraSlots)
        from kv in Gen.Choose(1, 2)
        from g in Gen.Choose(1, 2)
        from half in Gen.Choose(1, MaxHalfHeadDim)
        from seed in Gen.Choose(0, 1 << 20)
        select new AttentionCase(t, t + extra, kv, g, 2 * half, seed);
}

/// <summary>
/// One decoder layer's shapes: T rows of width D, an MLP of F, H = Hkv · Group query heads of HeadDim, weights of
/// Type (the value matrix of the other type on odd seeds, so a stack of mixed types is split).
/// </summary>
public sealed record LayerCase(int T, int D, int F, int KvHeads, int Group, int HeadDim, DType Type, int Seed)
{
    public int QCols => KvHeads * Group * HeadDim;

    public int KvCols => KvHeads * HeadDim;

    public DType ValueType => Seed % 2 == 0 ? Type : Type == DType.BF16 ? DType.F32 : DType.BF16;
}
