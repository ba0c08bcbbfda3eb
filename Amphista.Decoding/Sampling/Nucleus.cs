using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Sampling;

/// <summary>
/// The tokens a sample may come from (SPEC §3a): rank every token by z = logit / T, highest
/// first, the lower id first among equals; keep the first K (top-k), then the shortest prefix of
/// those whose probability mass reaches P of theirs (top-p, nucleus). Probabilities are
/// q = e^(z − z_max) by <see cref="FixedExp"/> in float; the mass of the top-k set is summed in id
/// order and the prefix in rank order, both in double. The set is a prefix of the ranking, so it is
/// named by its last member: a token belongs to it when it ranks at or above that one.
/// </summary>
internal sealed class Nucleus
{
    private readonly PriorityQueue<int, Rank> ranking = new(Rank.HighestFirst);
    private (int Id, Rank Rank)[] all = [];   // [V] every token's rank, heapified at once

    /// <summary>A token's place in the ranking: its z and its id.</summary>
    public readonly record struct Rank(double Z, int Id)
    {
        public static readonly IComparer<Rank> HighestFirst =
            Comparer<Rank>.Create((a, b) => a.Z != b.Z ? b.Z.CompareTo(a.Z) : a.Id.CompareTo(b.Id));

        public bool AtOrAbove(Rank last) => Z > last.Z || (Z == last.Z && Id <= last.Id);
    }

    /// <summary>The last member of the set for logits [V] at temperature t.</summary>
    public Rank Last(ReadOnlySpan<float> logits, double t, int topK, double topP)
    {
        if (all.Length != logits.Length) all = new (int, Rank)[logits.Length];
        for (int i = 0; i < logits.Length; i++) all[i] = (i, new Rank(logits[i] / t, i));
        ranking.Clear();
        ranking.EnqueueRange(all);
        int k = topK == 0 ? logits.Length : Math.Min(topK, logits.Length);
        if (topP == 1) return KthRank(k);

        var first = ranking.Peek();
        double zMax = logits[first] / t;
        var lastOfTopK = topK == 0 ? new Rank(double.NegativeInfinity, int.MaxValue) : KthRankKept(k);
        double mass = 0;   // of the top-k set, in id order
        for (int i = 0; i < logits.Length; i++)
            if (new Rank(logits[i] / t, i).AtOrAbove(lastOfTopK)) mass += Probability(logits[i] / t, zMax);
        double cumulative = 0;
        for (int taken = 1; ; taken++)
        {
            ranking.TryDequeue(out int id, out var rank);
            cumulative += Probability(rank.Z, zMax);
            if (cumulative >= topP * mass || taken == k) return rank;
        }
    }

    private static double Probability(double z, double zMax) => FixedExp.Exp((float)(z - zMax));

    private Rank KthRank(int k)
    {
        Rank rank = default;
        for (int j = 0; j < k; j++) ranking.TryDequeue(out _, out rank);
        return rank;
    }

    /// <summary>The k-th rank, leaving the queue as it was (the nucleus walk pops it again).</summary>
    private Rank KthRankKept(int k)
    {
        var popped = new List<(int Id, Rank Rank)>(k);
        for (int j = 0; j < k; j++)
        {
            ranking.TryDequeue(out int id, out var rank);
            popped.Add((id, rank));
        }
        foreach (var (id, rank) in popped) ranking.Enqueue(id, rank);
        return popped[^1].Rank;
    }
}
