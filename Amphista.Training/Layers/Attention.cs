using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>What attention backward needs: q [T, H·Dh], k, v [S, Hkv·Dh] and the mask [T, S].</summary>
public sealed record AttentionSaved(Tensor Q, Tensor K, Tensor V, AttentionMask Mask, int HeadDim)
{
    public int Heads => Q.Cols / HeadDim;                  // H
    public int Group => Heads / (K.Cols / HeadDim);        // H / Hkv query heads per key/value head
}

/// <summary>
/// Masked multi-head attention with grouped-query heads (head h reads key/value head h / (H/Hkv)):
///   s_ts = q_t·k_s / √Dh over visible s,  P_t = softmax(s_t),  y_t = Σ_s P_ts v_s.
/// Forward is the inference kernel (IKernels.Attention), for causal, tree and bi-directional masks
/// alike. Backward recomputes P row by row in the kernel's own steps (scores in slot order, their
/// maximum, <see cref="Tensors.Kernels.FixedExp"/>, the sum in the reduction order), so it
/// differentiates exactly the P the forward used, then, given dy [T, H·Dh]:
///   dP_ts = dy_t·v_s,  dS_ts = P_ts (dP_ts − Σ_s' P_ts' dP_ts'),
///   dq_t += Σ_s dS_ts k_s / √Dh,  dk_s += Σ_t dS_ts q_t / √Dh,  dv_s += Σ_t P_ts dy_t
/// (dk, dv sum over the group's query heads too), masked slots skipped, each sum in a fixed order.
/// </summary>
public static class Attention
{
    public static (Tensor Y, AttentionSaved Saved) Forward(SequenceKernels kernels, Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim)
    {
        Check(q, k, v, mask, headDim);
        var y = new Tensor(q.Rows, q.Cols);   // [T, H·Dh]
        kernels.Forward.Attention(q, k, v, mask, headDim, y);
        return (y, new AttentionSaved(q, k, v, mask, headDim));
    }

    /// <summary>Adds into dq [T, H·Dh], dk and dv [S, Hkv·Dh]; dy [T, H·Dh] is the output gradient.</summary>
    public static void Backward(SequenceKernels kernels, AttentionSaved c, Tensor dy, Tensor dq, Tensor dk, Tensor dv)
    {
        var (q, k, v, mask, dh) = (c.Q, c.K, c.V, c.Mask, c.HeadDim);
        if (dy.Rows != q.Rows || dy.Cols != q.Cols || dq.Rows != q.Rows || dq.Cols != q.Cols
            || dk.Rows != k.Rows || dk.Cols != k.Cols || dv.Rows != v.Rows || dv.Cols != v.Cols)
            throw new ArgumentException($"attention gradients dy {dy}, dq {dq}, dk {dk}, dv {dv} do not match q {q}, k {k}, v {v}");
        int T = q.Rows, S = mask.Slots, H = c.Heads, group = c.Group, kvHeads = H / group;
        float scale = 1f / MathF.Sqrt(dh);
        var probs = new float[T * H * S];     // [T, H, S]  P, 0 at masked slots
        var dScores = new float[T * H * S];   // [T, H, S]  dS, already scaled by 1/√Dh
        var visible = new float[S];           // [S] one row's visible scores, in slot order
        for (int t = 0; t < T; t++)
            for (int h = 0; h < H; h++)
            {
                int th = t * H + h, kvOff = h / group * dh;
                var p = probs.AsSpan(th * S, S);
                var ds = dScores.AsSpan(th * S, S);
                var qh = q.Row(t).Slice(h * dh, dh);
                Probabilities(kernels, qh, k, kvOff, mask.Row(t), scale, visible, p);
                var dyh = dy.Row(t).Slice(h * dh, dh);
                float pdp = 0f;   // Σ_s P_s dP_s
                for (int s = 0; s < S; s++)
                {
                    if (!mask[t, s]) continue;
                    ds[s] = kernels.Dot(dyh, v.Row(s).Slice(kvOff, dh));
                    pdp += p[s] * ds[s];
                }
                var dqh = dq.Row(t).Slice(h * dh, dh);
                for (int s = 0; s < S; s++)
                {
                    if (!mask[t, s]) continue;
                    ds[s] = p[s] * (ds[s] - pdp) * scale;
                    kernels.MultiplyAdd(dqh, ds[s], k.Row(s).Slice(kvOff, dh));
                }
            }
        for (int s = 0; s < S; s++)
            for (int kvh = 0; kvh < kvHeads; kvh++)
            {
                var dks = dk.Row(s).Slice(kvh * dh, dh);
                var dvs = dv.Row(s).Slice(kvh * dh, dh);
                for (int h = kvh * group; h < (kvh + 1) * group; h++)
                    for (int t = 0; t < T; t++)
                    {
                        if (!mask[t, s]) continue;
                        int at = (t * H + h) * S + s;
                        kernels.MultiplyAdd(dks, dScores[at], q.Row(t).Slice(h * dh, dh));
                        kernels.MultiplyAdd(dvs, probs[at], dy.Row(t).Slice(h * dh, dh));
                    }
            }
    }

    /// <summary>
    /// One row's P [S] (0 at masked slots) for query qh [Dh], as the inference kernel computes it:
    /// visible scores in slot order, scaled, e^(s − max), divided by their sum in the reduction order.
    /// </summary>
    private static void Probabilities(SequenceKernels kernels, ReadOnlySpan<float> qh, Tensor k, int kvOff, ReadOnlySpan<bool> row,
        float scale, float[] visible, Span<float> p)
    {
        int dh = qh.Length, count = 0;
        float max = float.NegativeInfinity;
        for (int s = 0; s < row.Length; s++)
        {
            if (!row[s]) continue;
            visible[count] = kernels.Dot(qh, k.Row(s).Slice(kvOff, dh)) * scale;
            max = MathF.Max(max, visible[count++]);
        }
        var own = visible.AsSpan(0, count);
        kernels.ExpShifted(own, max);
        TensorPrimitives.Divide(own, kernels.Sum(own), own);
        for (int s = 0, j = 0; s < row.Length; s++) p[s] = row[s] ? visible[j++] : 0f;
    }

    private static void Check(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim)
    {
        if (headDim <= 0 || q.Cols % headDim != 0 || k.Cols % headDim != 0 || k.Cols == 0 || (q.Cols / headDim) % (k.Cols / headDim) != 0)
            throw new ArgumentException($"attention widths q {q}, k {k} do not split into heads of {headDim} with whole groups");
        if (k.Rows != mask.Slots || v.Rows != k.Rows || v.Cols != k.Cols || mask.Rows != q.Rows)
            throw new ArgumentException($"attention shapes q {q}, k {k}, v {v} do not match mask [{mask.Rows}, {mask.Slots}]");
    }
}
