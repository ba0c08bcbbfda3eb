using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Sampling;

/// <summary>
/// The tokens a sample may come from (SPEC §3a): rank every token by z = logit / T, highest first, the
/// lower id first among equals; keep the first K (top-k), then the shortest prefix of those whose
/// probability mass reaches P of theirs (top-p, nucleus). Probabilities are q = e^(y − y_max) by
/// <see cref="FixedExp"/> with y = z rounded to float; the mass of the top-k set is summed in id order
/// and the prefix in rank order, both in double. The set is a prefix of the ranking, so it is named by
/// its last member: a token belongs to it when it ranks at or above that one.
/// Only the top of the ranking is ever sorted: the K best (a bounded heap), or without top-k the tokens
/// within Δ of z_max, Δ doubling until they hold the nucleus.
/// </summary>
internal sealed class Nucleus
{
    private const double FirstWindow = 4;   // Δ to start from, in units of z

    private double[] z = [];                 // [V] logit / T
    private float[] q = [];                  // [V] probabilities, unnormalised, when the mass is over all V
    private readonly List<int> top = [];     // the head of the ranking, in rank order
    private readonly PriorityQueue<int, int> worstFirst;   // the K best so far, the worst on top

    public Nucleus() => worstFirst = new(Comparer<int>.Create((a, b) => ByRank(b, a)));

    /// <summary>A token's place in the ranking: its z and its id.</summary>
    public readonly record struct Rank(double Z, int Id)
    {
        public bool AtOrAbove(Rank last) => Z > last.Z || (Z == last.Z && Id <= last.Id);
    }

    /// <summary>The last member of the set for logits [V] at temperature t.</summary>
    public Rank Last(ReadOnlySpan<float> logits, double t, int topK, double topP)
    {
        if (z.Length != logits.Length) z = new double[logits.Length];
        double zMax = double.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            z[i] = logits[i] / t;
            if (z[i] > zMax) zMax = z[i];
        }
        float yMax = (float)zMax;
        if (topK > 0)
        {
            TopK(Math.Min(topK, logits.Length));
            if (topP == 1) return RankOf(top[^1]);
            return RankOf(top[Prefix(top, topP * MassInIdOrder(top, yMax), yMax) ?? top.Count - 1]);
        }
        double mass = MassOfAll(logits, yMax);
        for (double window = FirstWindow; ; window *= 2)
        {
            Within(zMax - window);
            bool whole = top.Count == logits.Length;
            if (Prefix(top, topP * mass, yMax) is int j) return RankOf(top[j]);
            if (whole) return RankOf(top[^1]);   // rounding kept the sum below the target: the whole ranking
        }
    }

    /// <summary>The index in ranked where the cumulative mass first reaches target, if it does.</summary>
    private int? Prefix(List<int> ranked, double target, float yMax)
    {
        double cumulative = 0;
        for (int j = 0; j < ranked.Count; j++)
            if ((cumulative += Probability(ranked[j], yMax)) >= target) return j;
        return null;
    }

    /// <summary>top = the k best-ranked tokens, in rank order.</summary>
    private void TopK(int k)
    {
        worstFirst.Clear();
        double worst = double.NegativeInfinity;   // z of the worst held once k are held: most tokens fall below it
        for (int i = 0; i < z.Length; i++)
        {
            if (worstFirst.Count < k) worstFirst.Enqueue(i, i);
            else if (z[i] >= worst && ByRank(i, worstFirst.Peek()) < 0) worstFirst.EnqueueDequeue(i, i);
            else continue;
            if (worstFirst.Count == k) worst = z[worstFirst.Peek()];
        }
        top.Clear();
        while (worstFirst.TryDequeue(out int id, out _)) top.Add(id);
        top.Reverse();
    }

    /// <summary>top = the tokens with z at or above the floor, in rank order.</summary>
    private void Within(double floor)
    {
        top.Clear();
        for (int i = 0; i < z.Length; i++)
            if (!(z[i] < floor)) top.Add(i);   // NaN joins: the ranking places it
        top.Sort(ByRank);
    }

    /// <summary>Negative when token a ranks above token b.</summary>
    private int ByRank(int a, int b) => z[a] != z[b] ? z[b].CompareTo(z[a]) : a.CompareTo(b);

    private Rank RankOf(int id) => new(z[id], id);

    private float Probability(int id, float yMax) => FixedExp.Exp((float)z[id] - yMax);

    private double MassInIdOrder(List<int> ids, float yMax)
    {
        double mass = 0;
        foreach (int i in ids.Order()) mass += Probability(i, yMax);
        return mass;
    }

    /// <summary>The mass of all V tokens, summed in id order (the exponentials at the widest vector width: the same bits).</summary>
    private double MassOfAll(ReadOnlySpan<float> logits, float yMax)
    {
        if (q.Length != logits.Length) q = new float[logits.Length];
        for (int i = 0; i < logits.Length; i++) q[i] = (float)z[i];
        FixedExp.ExpShifted(q, yMax, VectorWidth.Widest);
        double mass = 0;
        foreach (float p in q) mass += p;
        return mass;
    }
}
