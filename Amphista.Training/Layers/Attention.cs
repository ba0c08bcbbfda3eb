using Amphista.Tensors;
using Amphista.Training.Core;

namespace Amphista.Training.Layers;

/// <summary>
/// What attention backward needs: q [T, H·Dh], k, v [S, Hkv·Dh], the mask [T, S] and the softmax
/// probabilities P [T, H, S] (0 at masked slots).
/// </summary>
public sealed record AttentionCache(Tensor Q, Tensor K, Tensor V, AttentionMask Mask, int HeadDim, float[] Probs)
{
    public int Heads => Q.Cols / HeadDim;                  // H
    public int Group => Heads / (K.Cols / HeadDim);        // H / Hkv query heads per key/value head
}

/// <summary>
/// Masked multi-head attention with grouped-query heads (head h reads key/value head h / (H/Hkv)):
///   s_ts = q_t·k_s / √Dh over visible s,  P_t = softmax(s_t),  y_t = Σ_s P_ts v_s.
/// Backward, given dy [T, H·Dh]:
///   dP_ts = dy_t·v_s,  dS_ts = P_ts (dP_ts − Σ_s' P_ts' dP_ts'),
///   dq_t += Σ_s dS_ts k_s / √Dh,  dk_s += Σ_t dS_ts q_t / √Dh,  dv_s += Σ_t P_ts dy_t
/// (dk, dv sum over the group's query heads too). Slots are visited in increasing order and masked
/// slots are skipped, as the inference kernel does. Threads split (t, h) pairs for forward and dq, and
/// (s, kv head) pairs for dk and dv: each output is owned by one thread and summed in a fixed order.
/// </summary>
public static class Attention
{
    public static (Tensor Y, AttentionCache Cache) Forward(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim)
    {
        Check(q, k, v, mask, headDim);
        int T = q.Rows, S = mask.Slots, H = q.Cols / headDim;
        var cache = new AttentionCache(q, k, v, mask, headDim, new float[T * H * S]);   // Probs [T, H, S]
        int group = cache.Group;
        float scale = 1f / MathF.Sqrt(headDim);
        var y = new Tensor(T, q.Cols);   // [T, H·Dh]
        Parallelism.For(T * H, th =>
        {
            int t = th / H, h = th % H, kvOff = h / group * headDim;
            var p = cache.Probs.AsSpan(th * S, S);   // [S]
            var qh = q.Row(t).Slice(h * headDim, headDim);
            float max = float.NegativeInfinity;
            for (int s = 0; s < S; s++)
            {
                if (!mask[t, s]) continue;
                p[s] = Simd.Dot(qh, k.Row(s).Slice(kvOff, headDim)) * scale;
                max = MathF.Max(max, p[s]);
            }
            float sum = 0f;
            for (int s = 0; s < S; s++)
            {
                if (!mask[t, s]) continue;
                p[s] = MathF.Exp(p[s] - max);
                sum += p[s];
            }
            var yh = y.Row(t).Slice(h * headDim, headDim);
            for (int s = 0; s < S; s++)
            {
                if (!mask[t, s]) continue;
                p[s] /= sum;
                Simd.MultiplyAdd(yh, p[s], v.Row(s).Slice(kvOff, headDim));
            }
        });
        return (y, cache);
    }

    /// <summary>Adds into dq [T, H·Dh], dk and dv [S, Hkv·Dh]; dy [T, H·Dh] is the output gradient.</summary>
    public static void Backward(AttentionCache c, Tensor dy, Tensor dq, Tensor dk, Tensor dv)
    {
        var (q, k, v, mask, dh) = (c.Q, c.K, c.V, c.Mask, c.HeadDim);
        if (dy.Rows != q.Rows || dy.Cols != q.Cols || dq.Rows != q.Rows || dq.Cols != q.Cols
            || dk.Rows != k.Rows || dk.Cols != k.Cols || dv.Rows != v.Rows || dv.Cols != v.Cols)
            throw new ArgumentException($"attention gradients dy {dy}, dq {dq}, dk {dk}, dv {dv} do not match q {q}, k {k}, v {v}");
        int T = q.Rows, S = mask.Slots, H = c.Heads, group = c.Group, kvHeads = H / group;
        float scale = 1f / MathF.Sqrt(dh);
        var dScores = new float[T * H * S];   // [T, H, S], already scaled by 1/√Dh
        Parallelism.For(T * H, th =>
        {
            int t = th / H, h = th % H, kvOff = h / group * dh;
            var p = c.Probs.AsSpan(th * S, S);
            var ds = dScores.AsSpan(th * S, S);
            var dyh = dy.Row(t).Slice(h * dh, dh);
            float pdp = 0f;   // Σ_s P_s dP_s
            for (int s = 0; s < S; s++)
            {
                if (!mask[t, s]) continue;
                ds[s] = Simd.Dot(dyh, v.Row(s).Slice(kvOff, dh));
                pdp += p[s] * ds[s];
            }
            var dqh = dq.Row(t).Slice(h * dh, dh);
            for (int s = 0; s < S; s++)
            {
                if (!mask[t, s]) continue;
                ds[s] = p[s] * (ds[s] - pdp) * scale;
                Simd.MultiplyAdd(dqh, ds[s], k.Row(s).Slice(kvOff, dh));
            }
        });
        Parallelism.For(S * kvHeads, skv =>
        {
            int s = skv / kvHeads, kvh = skv % kvHeads;
            var dks = dk.Row(s).Slice(kvh * dh, dh);
            var dvs = dv.Row(s).Slice(kvh * dh, dh);
            for (int h = kvh * group; h < (kvh + 1) * group; h++)
                for (int t = 0; t < T; t++)
                {
                    if (!mask[t, s]) continue;
                    int at = (t * H + h) * S + s;
                    Simd.MultiplyAdd(dks, dScores[at], q.Row(t).Slice(h * dh, dh));
                    Simd.MultiplyAdd(dvs, c.Probs[at], dy.Row(t).Slice(h * dh, dh));
                }
        });
    }

    private static void Check(Tensor q, Tensor k, Tensor v, AttentionMask mask, int headDim)
    {
        if (headDim <= 0 || q.Cols % headDim != 0 || k.Cols % headDim != 0 || k.Cols == 0 || (q.Cols / headDim) % (k.Cols / headDim) != 0)
            throw new ArgumentException($"attention widths q {q}, k {k} do not split into heads of {headDim} with whole groups");
        if (k.Rows != mask.Slots || v.Rows != k.Rows || v.Cols != k.Cols || mask.Rows != q.Rows)
            throw new ArgumentException($"attention shapes q {q}, k {k}, v {v} do not match mask [{mask.Rows}, {mask.Slots}]");
    }
}
