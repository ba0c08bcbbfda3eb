// Attention on the device: y [T, H·Dh] = softmax(q kᵀ / sqrt(Dh) over the visible slots) v, for q [T, H·Dh]
// against caches k, v [≥S, Hkv·Dh] and a mask [T, S]. One warp per (row, head, part of 32 slots), the parts'
// partial results [T·H·P, Dh'] merged in part order by the warp that finishes a (row, head) last.
using ILGPU;

namespace Amphista.Tensors.Gpu;

/// <summary>Shape of one attention call.</summary>
internal struct AttentionShape
{
    public int Rows;       // T
    public int Slots;      // S
    public int Heads;      // H
    public int KvHeads;    // Hkv
    public int HeadDim;    // Dh
    public float Scale;    // 1 / sqrt(Dh)
    public int Parts;      // P = ⌈S / 32⌉

    /// <summary>Floats of one part's record: its Dh weighted value sums (padded to whole chunks), then m and l.</summary>
    public readonly int Record => DeviceMath.Chunk * DeviceMath.Chunks(HeadDim) + DeviceMath.Chunk;
}

/// <summary>
/// Query head h reads key/value head h / (H / Hkv). The slots are cut into parts of 32 (part p holds slots
/// 32p..32p + 31), so which operations combine which values depends on S and the mask row only, never on T:
/// 1. in each part, score_s = (q · k_s) · scale for every visible slot, the dot product over Dh in the one chunk
///    order (lane-strided chunks, then the butterfly, all 32 slots' at once); lane i holds slot 32p + i's score;
/// 2. m_p = the part's largest visible score (exact); e_s = exp(score_s − m_p); l_p = Σ e_s by the butterfly;
///    o_p,i = Σ e_s · v_s,i by fused multiply-adds over the part's visible slots in increasing order, from 0;
/// 3. merge: M = max of the m_p; for p = 0, 1, ..., P − 1 in order, skipping parts with no visible slot,
///    f_p = exp(m_p − M), L = fma(f_p, l_p, L), O_i = fma(f_p, o_p,i, O_i), from 0; y_i = O_i / L.
/// Every warp writes its part's record and counts itself done in finished [T·H] (fence, then an atomic add); the
/// warp that counts the last part merges, after a fence, and resets the count for the next call. Every mask row
/// sees at least one slot (<see cref="DeviceMask.Set"/>), so L ≥ 1.
/// </summary>
internal static class AttentionKernels
{
    /// <summary>Slots per part: one per lane.</summary>
    public const int PartSlots = DeviceMath.Lanes;

    /// <summary>The most warps a block of this kernel may hold (each keeps its 32 weights e_s in shared memory).</summary>
    public const int MaxGroupWarps = 32;

    /// <summary>Grid: at least T·H·P warps (spare ones return). partials holds T·H·P records.</summary>
    public static void Attention<M>(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<byte> mask,
        ArrayView<float> partials, ArrayView<int> finished, ArrayView<float> y, AttentionShape s) where M : struct, IFloatOps
    {
        int warp = DeviceMath.GridWarp;
        if (warp >= s.Rows * s.Heads * s.Parts) return;
        int job = warp / s.Parts, part = warp % s.Parts;
        int t = job / s.Heads, h = job % s.Heads;
        int qOff = t * s.Heads * s.HeadDim + h * s.HeadDim, kvOff = h / (s.Heads / s.KvHeads) * s.HeadDim;
        var visible = mask.SubView(t * s.Slots, s.Slots);                          // [S]
        var records = partials.SubView((long)job * s.Parts * s.Record, s.Parts * s.Record);   // [P, Record]

        Part<M>(q, k, v, visible, records.SubView(part * s.Record, s.Record), s, part, qOff, kvOff);
        // Every lane's record writes are visible device-wide before the count says this part is done.
        MemoryFence.DeviceLevel();
        Warp.Barrier();
        int done = 0;
        if (Warp.IsFirstLane) done = Atomic.Add(ref finished[job], 1);
        if (Warp.Shuffle(done, 0) != s.Parts - 1) return;
        MemoryFence.DeviceLevel();
        Merge<M>(records, y, s, qOff);
        if (Warp.IsFirstLane) finished[job] = 0;
    }

    /// <summary>Steps 1 and 2 for one part: record [Record] = o_p [Dh], m_p, l_p (l_p = 0: no visible slot).</summary>
    private static void Part<M>(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<byte> visible,
        ArrayView<float> record, AttentionShape s, int part, int qOff, int kvOff) where M : struct, IFloatOps
    {
        var m = default(M);
        int lane = Warp.LaneIdx, kvCols = s.KvHeads * s.HeadDim, chunks = DeviceMath.Chunks(s.HeadDim);
        int first = part * PartSlots, count = Math.Min(PartSlots, s.Slots - first);
        bool wide = s.HeadDim % DeviceMath.Chunk == 0;
        var k0 = k.SubView((long)first * kvCols + kvOff, (long)(count - 1) * kvCols + s.HeadDim);   // the part's keys, row stride kvCols

        // Each lane's partial dot products for all 32 slots (slot 4j + u in component u of a_j), then all 32 sums
        // at once: lane i ends with slot first + i's dot product.
        Quad a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int c = lane; c < chunks; c += DeviceMath.Lanes)
        {
            var qc = DeviceMath.LoadChunk(q, qOff, c, s.HeadDim, wide);
            int n = DeviceMath.ChunkLength(c, s.HeadDim);
            a0 = Dots<M>(a0, qc, k0, visible, first, 0, count, c, n, s, wide);
            a1 = Dots<M>(a1, qc, k0, visible, first, 4, count, c, n, s, wide);
            a2 = Dots<M>(a2, qc, k0, visible, first, 8, count, c, n, s, wide);
            a3 = Dots<M>(a3, qc, k0, visible, first, 12, count, c, n, s, wide);
            a4 = Dots<M>(a4, qc, k0, visible, first, 16, count, c, n, s, wide);
            a5 = Dots<M>(a5, qc, k0, visible, first, 20, count, c, n, s, wide);
            a6 = Dots<M>(a6, qc, k0, visible, first, 24, count, c, n, s, wide);
            a7 = Dots<M>(a7, qc, k0, visible, first, 28, count, c, n, s, wide);
        }
        float dot = DeviceMath.WarpSums<M>(a0, a1, a2, a3, a4, a5, a6, a7);
        bool mine = lane < count && visible[first + lane] != 0;
        float score = mine ? m.Mul(dot, s.Scale) : float.NegativeInfinity;
        float max = DeviceMath.WarpMax(score);
        float e = mine ? DeviceMath.Exp<M>(m.Sub(score, max)) : 0f;
        float sum = DeviceMath.WarpSum<M>(e);

        // Every lane reads every e_s: through shared memory, one region per warp of the block.
        var weights = SharedMemory.Allocate<float>(MaxGroupWarps * DeviceMath.Lanes).SubView(Warp.WarpIdx * DeviceMath.Lanes, DeviceMath.Lanes);
        weights[lane] = e;
        Warp.Barrier();
        for (int group = 0; group < chunks; group += DeviceMath.Lanes)
        {
            int c = group + lane;
            if (c >= chunks) continue;
            int n = DeviceMath.ChunkLength(c, s.HeadDim);
            Quad acc = default;
            for (int i = 0; i < count; i++)
                if (visible[first + i] != 0)
                    acc = Fma<M>(weights[i], DeviceMath.LoadChunk(v, (first + i) * kvCols + kvOff, c, s.HeadDim, wide), acc, n);
            Store(record, DeviceMath.Chunk * c, acc, n);
        }
        if (Warp.IsFirstLane)
        {
            record[s.Record - 2] = max;
            record[s.Record - 1] = sum;
        }
    }

    /// <summary>acc's component u += q chunk c · k chunk c of slot first + at + u, for the visible slots of the part.</summary>
    private static Quad Dots<M>(Quad acc, Quad qc, ArrayView<float> k0, ArrayView<byte> visible, int first, int at, int count,
        int c, int n, AttentionShape s, bool wide) where M : struct, IFloatOps
    {
        int kvCols = s.KvHeads * s.HeadDim;
        if (at < count && visible[first + at] != 0) acc.A = DeviceMath.Dot<M>(acc.A, qc, DeviceMath.LoadChunk(k0, at * kvCols, c, s.HeadDim, wide), n);
        if (at + 1 < count && visible[first + at + 1] != 0) acc.B = DeviceMath.Dot<M>(acc.B, qc, DeviceMath.LoadChunk(k0, (at + 1) * kvCols, c, s.HeadDim, wide), n);
        if (at + 2 < count && visible[first + at + 2] != 0) acc.C = DeviceMath.Dot<M>(acc.C, qc, DeviceMath.LoadChunk(k0, (at + 2) * kvCols, c, s.HeadDim, wide), n);
        if (at + 3 < count && visible[first + at + 3] != 0) acc.D = DeviceMath.Dot<M>(acc.D, qc, DeviceMath.LoadChunk(k0, (at + 3) * kvCols, c, s.HeadDim, wide), n);
        return acc;
    }

    /// <summary>Step 3 over records [P, Record]: y's Dh values of this row and head.</summary>
    private static void Merge<M>(ArrayView<float> records, ArrayView<float> y, AttentionShape s, int qOff) where M : struct, IFloatOps
    {
        var m = default(M);
        int lane = Warp.LaneIdx, chunks = DeviceMath.Chunks(s.HeadDim);
        bool wide = s.HeadDim % DeviceMath.Chunk == 0;
        float max = float.NegativeInfinity;
        for (int p = lane; p < s.Parts; p += DeviceMath.Lanes)
            if (records[p * s.Record + s.Record - 1] > 0f) max = DeviceMath.Max(max, records[p * s.Record + s.Record - 2]);
        max = DeviceMath.WarpMax(max);
        for (int group = 0; group < chunks; group += DeviceMath.Lanes)
        {
            int c = group + lane;
            float sum = 0f;
            Quad acc = default;
            for (int p = 0; p < s.Parts; p++)
            {
                int at = p * s.Record;
                float partSum = records[at + s.Record - 1];
                if (partSum == 0f) continue;
                float f = DeviceMath.Exp<M>(m.Sub(records[at + s.Record - 2], max));
                sum = m.Fma(f, partSum, sum);
                if (c < chunks) acc = Fma<M>(f, DeviceMath.LoadChunk(records, at, c, s.HeadDim, wide), acc, DeviceMath.ChunkLength(c, s.HeadDim));
            }
            if (c >= chunks) continue;
            int n = DeviceMath.ChunkLength(c, s.HeadDim), i = qOff + DeviceMath.Chunk * c;
            y[i] = acc.A / sum;
            if (n > 1) y[i + 1] = acc.B / sum;
            if (n > 2) y[i + 2] = acc.C / sum;
            if (n > 3) y[i + 3] = acc.D / sum;
        }
    }

    /// <summary>acc + w · x over the first n elements, one fused multiply-add each.</summary>
    private static Quad Fma<M>(float w, Quad x, Quad acc, int n) where M : struct, IFloatOps
    {
        var m = default(M);
        return new Quad(m.Fma(w, x.A, acc.A), n > 1 ? m.Fma(w, x.B, acc.B) : 0f, n > 2 ? m.Fma(w, x.C, acc.C) : 0f,
            n > 3 ? m.Fma(w, x.D, acc.D) : 0f);
    }

    private static void Store(ArrayView<float> to, int at, Quad value, int n)
    {
        to[at] = value.A;
        if (n > 1) to[at + 1] = value.B;
        if (n > 2) to[at + 2] = value.C;
        if (n > 3) to[at + 3] = value.D;
    }
}
