// Element-wise kernels, one thread per output element: residual add x [T, N] += δ [T, N], bias x [T, N] += b [N],
// SiLU and SwiGLU [T, N], RoPE on x [T, n·Dh] in place, the embedding gather y [T, ·] = E [V, D][ids [T]], and
// row copies between buffers (cache writes and moves, column blocks).
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>Shape of a RoPE call on x [Rows, Cols], Cols a multiple of HeadDim.</summary>
internal struct RopeShape
{
    public int Cols, HeadDim;
}

/// <summary>Where copied or gathered rows [Rows, Cols] land: row r at element r · DstCols + DstCol of the destination.</summary>
internal struct PlaceShape
{
    public int Cols, DstCols, DstCol;
}

/// <summary>
/// No sums here: each output is a fixed expression of its own inputs, so batch invariance is automatic.
/// The expressions round like the reference kernels' (Add, AddBias and RoPE give the reference bits exactly);
/// SiLU uses the device exp (<see cref="DeviceMath.Exp"/>).
/// </summary>
internal static class ElementwiseKernels
{
    /// <summary>x += delta over the flat index i.</summary>
    public static void Add<M>(Index1D i, ArrayView<float> x, ArrayView<float> delta) where M : struct, IFloatOps =>
        x[i] = default(M).Add(x[i], delta[i]);

    /// <summary>x [T, N] += bias [N].</summary>
    public static void AddBias<M>(Index1D i, ArrayView<float> x, ArrayView<float> bias, int cols) where M : struct, IFloatOps =>
        x[i] = default(M).Add(x[i], bias[i % cols]);

    public static void Silu<M>(Index1D i, ArrayView<float> x, ArrayView<float> y) where M : struct, IFloatOps =>
        y[i] = DeviceMath.Silu<M>(x[i]);

    /// <summary>y = SiLU(gate) · up.</summary>
    public static void SwiGlu<M>(Index1D i, ArrayView<float> gate, ArrayView<float> up, ArrayView<float> y)
        where M : struct, IFloatOps =>
        y[i] = default(M).Mul(DeviceMath.Silu<M>(gate[i]), up[i]);

    /// <summary>
    /// One rotation pair per thread: i runs over (row t, head, pair j &lt; Dh/2); dimension j pairs with j + Dh/2
    /// ("rotate_half"), at angle row positions[t] of the cos/sin tables [P, Dh/2].
    /// </summary>
    public static void Rope<M>(Index1D i, ArrayView<float> x, ArrayView<int> positions, ArrayView<float> cos,
        ArrayView<float> sin, RopeShape s) where M : struct, IFloatOps
    {
        var m = default(M);
        int half = s.HeadDim / 2, pairsPerRow = s.Cols / 2;
        int t = i / pairsPerRow, head = i % pairsPerRow / half, j = i % half;
        int a = t * s.Cols + head * s.HeadDim + j, b = a + half, angle = positions[t] * half + j;
        float x1 = x[a], x2 = x[b], c = cos[angle], sn = sin[angle];
        x[a] = m.Sub(m.Mul(x1, c), m.Mul(x2, sn));
        x[b] = m.Add(m.Mul(x2, c), m.Mul(x1, sn));
    }

    /// <summary>y row t, columns DstCol.. = table [V, D] row ids[t], widened to float32; i runs over the T·D values.</summary>
    public static void Gather<W>(Index1D i, W table, ArrayView<int> ids, ArrayView<float> y, PlaceShape s)
        where W : struct, IDeviceWeightRows
    {
        int t = i / s.Cols, c = i % s.Cols;
        y[t * s.DstCols + s.DstCol + c] = table.Element(ids[t] * s.Cols + c);
    }

    /// <summary>dst row r, columns DstCol.. = src [R, Cols] row r; i runs over the R·Cols values.</summary>
    public static void CopyRows(Index1D i, ArrayView<float> src, ArrayView<float> dst, PlaceShape s)
    {
        int r = i / s.Cols, c = i % s.Cols;
        dst[r * s.DstCols + s.DstCol + c] = src[i];
    }
}
