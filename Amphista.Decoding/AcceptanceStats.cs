namespace Amphista.Decoding;

/// <summary>
/// How well a drafter's guesses were accepted over a set of generations (what eval reports). Head k
/// (0-based) is offered in a step whose tree is at least k + 1 deep, and accepted when the accepted
/// path reaches depth k + 1; steps whose tree was cut short near the token budget therefore do not
/// count against the deeper heads. Pure arithmetic over <see cref="DecodeResult.Accepted"/>: no timing.
/// </summary>
/// <param name="Tokens">new tokens over all generations</param>
/// <param name="Steps">base-model passes over all generations, prompt passes included</param>
/// <param name="MeanAccepted">Tokens / Steps, the mean accepted length (0 with no steps)</param>
/// <param name="Offered">[K] steps that offered head k</param>
/// <param name="PerHead">[K] fraction of the steps offering head k that accepted its token (0 when never offered)</param>
/// <param name="PerHeadRank">[K][R] fraction of the steps offering head k whose accepted head-k token had rank r;
/// row k sums to PerHead[k]</param>
public sealed record AcceptanceStats(
    int Tokens, int Steps, double MeanAccepted, int[] Offered, double[] PerHead, double[][] PerHeadRank)
{
    /// <summary>
    /// Statistics for a drafter of K = heads heads whose candidates have R = ranks ranks (the tree's
    /// top-k). A step deeper than K, an accepted path deeper than its tree or a rank outside [0, R)
    /// cannot come from such a drafter and is refused rather than miscounted.
    /// </summary>
    public static AcceptanceStats Compute(IReadOnlyList<DecodeResult> results, int heads, int ranks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        int tokens = 0, steps = 0;
        int[] offered = new int[heads];
        int[] accepted = new int[heads];
        var byRank = new int[heads][];       // [K][R] acceptances of head k at rank r
        for (int k = 0; k < heads; k++) byRank[k] = new int[ranks];

        foreach (var result in results)
        {
            tokens += result.Tokens.Length;
            steps += result.Steps;
            foreach (var step in result.Accepted)
            {
                if (step.TreeDepth < 0 || step.TreeDepth > heads)
                    throw new ArgumentException($"a step offered a tree {step.TreeDepth} deep to a drafter of {heads} heads");
                if (step.Ranks.Length > step.TreeDepth)
                    throw new ArgumentException($"a step accepted {step.Ranks.Length} drafted tokens from a tree {step.TreeDepth} deep");
                for (int k = 0; k < step.TreeDepth; k++) offered[k]++;
                for (int k = 0; k < step.Ranks.Length; k++)
                {
                    int rank = step.Ranks[k];
                    if ((uint)rank >= (uint)ranks) throw new ArgumentException($"head {k} accepted rank {rank}, outside [0, {ranks})");
                    accepted[k]++;
                    byRank[k][rank]++;
                }
            }
        }

        var perHead = new double[heads];
        var perHeadRank = new double[heads][];
        for (int k = 0; k < heads; k++)
        {
            perHead[k] = Fraction(accepted[k], offered[k]);
            perHeadRank[k] = [.. byRank[k].Select(count => Fraction(count, offered[k]))];
        }
        return new AcceptanceStats(tokens, steps, Fraction(tokens, steps), offered, perHead, perHeadRank);
    }

    private static double Fraction(int count, int total) => total == 0 ? 0 : (double)count / total;
}
