// Attention on the device: y [T, H·Dh] = softmax(q kᵀ / sqrt(Dh) over the visible slots) v, for
// q [T, H·Dh] against caches k, v [≥S, Hkv·Dh] and a mask [T, S]; and the cache slot move used by
// tree compaction. One warp per (row, head).
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
}

/// <summary>
/// Warp j works on (row t, head h) = (j / H, j % H); query head h reads key/value head h / (H / Hkv).
/// Visible slots are visited in increasing slot order in every pass, and every sum's order depends on the
/// mask row, S and Dh only:
/// 1. score_s = (q · k_s) · scale, the dot product summed lane-strided over Dh then by the butterfly;
/// 2. e_s = exp(score_s − max); lane l sums the e_s of its slots s ≡ l (mod 32) in increasing order, then
///    the butterfly gives Σ;
/// 3. y_i = Σ_s (e_s / Σ) · v_s,i by fused multiply-adds over s in increasing order, one lane per i.
/// Scores live in scratch [warps, S], one region per launched warp, so the spare warps of the last block
/// (which repeat the last (row, head) and write nothing to y) never touch a live warp's scores.
/// </summary>
internal static class AttentionKernels
{
    /// <summary>One warp per (row, head); scratch holds (launched warps) · S floats.</summary>
    public static void Attention<M>(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<byte> mask,
        ArrayView<float> scratch, ArrayView<float> y, AttentionShape s) where M : struct, IFloatOps
    {
        var m = default(M);
        int warp = DeviceMath.GridWarp, lane = Warp.LaneIdx;
        int job = Math.Min(warp, s.Rows * s.Heads - 1);
        int t = job / s.Heads, h = job % s.Heads;
        int qCols = s.Heads * s.HeadDim, kvCols = s.KvHeads * s.HeadDim;
        int qOff = t * qCols + h * s.HeadDim, kvOff = h / (s.Heads / s.KvHeads) * s.HeadDim;
        var scores = scratch.SubView(warp * s.Slots, s.Slots);   // [S]
        var visible = mask.SubView(t * s.Slots, s.Slots);         // [S]

        float max = float.NegativeInfinity;
        for (int slot = 0; slot < s.Slots; slot++)
        {
            if (visible[slot] == 0) continue;
            float part = 0f;
            for (int i = lane; i < s.HeadDim; i += DeviceMath.Lanes)
                part = m.Fma(q[qOff + i], k[slot * kvCols + kvOff + i], part);
            float score = m.Mul(DeviceMath.WarpSum<M>(part), s.Scale);
            // Each lane keeps the scores of the slots it will exponentiate in pass 2: no barrier needed.
            if (lane == slot % DeviceMath.Lanes) scores[slot] = score;
            max = DeviceMath.Max(max, score);
        }

        float sum = 0f;
        for (int slot = lane; slot < s.Slots; slot += DeviceMath.Lanes)
        {
            if (visible[slot] == 0) continue;
            float e = DeviceMath.Exp<M>(m.Sub(scores[slot], max));
            scores[slot] = e;
            sum = m.Add(sum, e);
        }
        sum = DeviceMath.WarpSum<M>(sum);
        // Pass 3 reads every lane's e_s.
        Warp.Barrier();

        for (int i = lane; i < s.HeadDim; i += DeviceMath.Lanes)
        {
            float acc = 0f;
            for (int slot = 0; slot < s.Slots; slot++)
                if (visible[slot] != 0) acc = m.Fma(scores[slot] / sum, v[slot * kvCols + kvOff + i], acc);
            if (warp < s.Rows * s.Heads) y[qOff + i] = acc;
        }
    }
}
