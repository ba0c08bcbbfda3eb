// The operands of one weight product on the device: up to three weight matrices W_A [O_A, D], W_B [O_B, D],
// W_C [O_C, D] of one stored type read as one stack of rows, the outputs y_A [T, O_A], y_B [T, O_B],
// y_C [T, O_C] the stack's rows land in, and what the product does before and after its sums.
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>What a product does with each finished sum.</summary>
internal enum ProductEpilogue
{
    /// <summary>y[t, o] = sum.</summary>
    Store,

    /// <summary>y[t, o] = y[t, o] + sum, rounded as the Add kernel rounds a residual update.</summary>
    Add,

    /// <summary>
    /// The stack is a gate matrix then an up matrix of as many rows; y[t, o] = SiLU(gate sum) · up sum, rounded
    /// as the SwiGlu kernel rounds it.
    /// </summary>
    SwiGlu,
}

/// <summary>
/// Shape and options of one product over x [Rows, In]. A warp owns a tile of weight rows: consecutive stacked
/// rows, or (SwiGLU) half a tile of gate rows and the up rows of the same features, so each output element's
/// two sums finish in one warp.
/// </summary>
internal struct ProductShape
{
    public int Rows;                    // T
    public int In;                      // D
    public int Out;                     // output features: every stacked row, or (SwiGLU) the gate's rows
    public ProductEpilogue Epilogue;
    public int Norm;                    // 1: the input is RMSNorm(x) ⊙ gain
    public float Eps;                   // RMSNorm's ε
    public int TokenWarps;              // tile kernel: warps of a block with tokens of their own
    public int RowBlocks;               // tile kernel: blocks along the rows

    public readonly bool Paired => Epilogue == ProductEpilogue.SwiGlu;

    /// <summary>The output feature of row j of a warp's tile of tileRows weight rows.</summary>
    public readonly int OutputRow(int tile, int j, int tileRows) =>
        Paired ? tile * (tileRows / 2) + j % (tileRows / 2) : tile * tileRows + j;

    /// <summary>The stacked weight row behind row j of a tile; rows past the end read the last feature's.</summary>
    public readonly int WeightRow(int tile, int j, int tileRows)
    {
        int o = Math.Min(OutputRow(tile, j, tileRows), Out - 1);
        return Paired && j >= tileRows / 2 ? Out + o : o;
    }

    /// <summary>Applies the epilogue to feature o of token t (sum, and the up sum when paired); nothing past T or O.</summary>
    public readonly void Finish<M>(OutputStack y, int t, int o, float sum, float up) where M : struct, IFloatOps
    {
        if (t >= Rows || o >= Out) return;
        var m = default(M);
        float value = Paired ? m.Mul(DeviceMath.Silu<M>(sum), up) : sum;
        if (Epilogue == ProductEpilogue.Add) value = m.Add(y.Get(t, o), value);
        y.Set(t, o, value);
    }
}

/// <summary>Up to three weight matrices of one stored type, read as one stack of O_A + O_B + O_C rows.</summary>
internal struct WeightStack<W> where W : struct, IDeviceWeightRows
{
    public W A, B, C;
    public int RowsA, RowsB;   // O_A, O_B; the rest of the stack is C's

    /// <summary>Chunk c of stacked row r (see <see cref="IDeviceWeightRows.Load"/>).</summary>
    public readonly Quad Load(int r, int c, int d, bool wide) =>
        r < RowsA ? A.Load(r, c, d, wide)
        : r < RowsA + RowsB ? B.Load(r - RowsA, c, d, wide)
        : C.Load(r - RowsA - RowsB, c, d, wide);
}

/// <summary>Where stacked row o of token t lands: y_A, y_B or y_C, row t, column o less the rows before.</summary>
internal struct OutputStack
{
    public ArrayView<float> A, B, C;   // y_A [T, O_A], y_B [T, O_B], y_C [T, O_C]
    public int ColsA, ColsB, ColsC;    // O_A, O_B, O_C

    public readonly float Get(int t, int o) =>
        o < ColsA ? A[t * ColsA + o]
        : o < ColsA + ColsB ? B[t * ColsB + o - ColsA]
        : C[t * ColsC + o - ColsA - ColsB];

    public readonly void Set(int t, int o, float value)
    {
        if (o < ColsA) A[t * ColsA + o] = value;
        else if (o < ColsA + ColsB) B[t * ColsB + o - ColsA] = value;
        else C[t * ColsC + o - ColsA - ColsB] = value;
    }
}
