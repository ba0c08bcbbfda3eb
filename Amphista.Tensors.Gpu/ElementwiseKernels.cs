// Element-wise kernels, one thread per output element: residual add x [T, N] += δ [T, N], bias x [T, N] += b [N],
// SiLU and SwiGLU [T, N], RoPE on x [T, n·Dh] in place, RoPE with the key/value cache write, the embedding
// gather y [T, ·] = E [V, D][ids [T]], and row copies between buffers (cache writes and moves, column blocks,
// lists of rows).
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>Shape of a RoPE call on x [Rows, Cols], Cols a multiple of HeadDim.</summary>
internal struct RopeShape
{
    public int Cols, HeadDim;
}

/// <summary>
/// Shape of a RoPE-and-cache call over q [T, QCols] and k, v [T, KvCols]: threads cover each row's QCols / 2 query
/// pairs, then KvCols / 2 key pairs, then KvCols values; keys and values land at cache row FirstSlot + t.
/// </summary>
internal struct RopeCacheShape
{
    public int QCols, KvCols, HeadDim, FirstSlot;

    public readonly int PerRow => QCols / 2 + KvCols / 2 + KvCols;
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
        int half = s.HeadDim / 2, pairsPerRow = s.Cols / 2;
        int t = i / pairsPerRow, pair = i % pairsPerRow;
        int a = t * s.Cols + pair / half * s.HeadDim + pair % half;
        Rotate<M>(x, a, a, x, half, positions[t] * half + pair % half, cos, sin);
    }

    /// <summary>
    /// A decoder layer's step between its q, k, v products and attention, in one launch: q [T, H·Dh] rotated in place,
    /// k [T, Hkv·Dh] rotated into kCache [C, Hkv·Dh] and v [T, Hkv·Dh] copied into vCache at rows FirstSlot + t; each
    /// value rounded as <see cref="Rope"/> and <see cref="CopyRows"/> would.
    /// </summary>
    public static void RopeAndCache<M>(Index1D i, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v,
        ArrayView<int> positions, ArrayView<float> cos, ArrayView<float> sin, ArrayView<float> kCache, ArrayView<float> vCache,
        RopeCacheShape s) where M : struct, IFloatOps
    {
        int half = s.HeadDim / 2, t = i / s.PerRow, unit = i % s.PerRow, slot = s.FirstSlot + t;
        int qPairs = s.QCols / 2, kPairs = s.KvCols / 2;
        if (unit >= qPairs + kPairs)
        {
            int c = unit - qPairs - kPairs;
            vCache[slot * s.KvCols + c] = v[t * s.KvCols + c];
            return;
        }
        bool isKey = unit >= qPairs;
        int pair = isKey ? unit - qPairs : unit, cols = isKey ? s.KvCols : s.QCols;
        int within = pair / half * s.HeadDim + pair % half, angle = positions[t] * half + pair % half;
        if (isKey) Rotate<M>(k, t * cols + within, slot * cols + within, kCache, half, angle, cos, sin);
        else Rotate<M>(q, t * cols + within, t * cols + within, q, half, angle, cos, sin);
    }

    /// <summary>
    /// Rotates the pair (from[a], from[a + half]) by the angle at index angle of the tables into (to[b], to[b + half]):
    /// x₁·cos − x₂·sin and x₂·cos + x₁·sin, each product rounded, as the reference rounds them.
    /// </summary>
    private static void Rotate<M>(ArrayView<float> from, int a, int b, ArrayView<float> to, int half, int angle,
        ArrayView<float> cos, ArrayView<float> sin) where M : struct, IFloatOps
    {
        var m = default(M);
        float x1 = from[a], x2 = from[a + half], c = cos[angle], sn = sin[angle];
        to[b] = m.Sub(m.Mul(x1, c), m.Mul(x2, sn));
        to[b + half] = m.Add(m.Mul(x2, c), m.Mul(x1, sn));
    }

    /// <summary>y row t, columns DstCol.. = table [V, D] row ids[t], widened to float32; i runs over the T·D values.</summary>
    public static void Gather<W>(Index1D i, W table, ArrayView<int> ids, ArrayView<float> y, PlaceShape s)
        where W : struct, IDeviceWeightRows
    {
        int t = i / s.Cols, c = i % s.Cols;
        y[t * s.DstCols + s.DstCol + c] = table.Element(ids[t] * s.Cols + c);
    }

    /// <summary>
    /// For i = 0, 1, ... in order, dst [·, cols] row to[i] = src [·, cols] row from[i] (from, to [count]); thread c
    /// copies column c, so when src is dst a later copy reads what an earlier one wrote.
    /// </summary>
    public static void CopyRowList(Index1D c, ArrayView<float> src, ArrayView<float> dst, ArrayView<int> from, ArrayView<int> to, int cols)
    {
        for (int i = 0; i < from.IntLength; i++) dst[to[i] * cols + c] = src[from[i] * cols + c];
    }

    /// <summary>dst row r, columns DstCol.. = src [R, Cols] row r; i runs over the R·Cols values.</summary>
    public static void CopyRows(Index1D i, ArrayView<float> src, ArrayView<float> dst, PlaceShape s)
    {
        int r = i / s.Cols, c = i % s.Cols;
        dst[r * s.DstCols + s.DstCol + c] = src[i];
    }
}
