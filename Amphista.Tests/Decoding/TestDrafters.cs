using Amphista.Decoding.Sampling;
using Amphista.Decoding.Drafting;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Tests.Decoding;

/// <summary>
/// Drafters that know the greedy continuation in advance, to drive the speculative decoder through
/// every acceptance length: the oracle always proposes the greedy tokens at rank 0 (everything is
/// accepted), the adversary never proposes them (nothing is), and the random one proposes noise.
/// </summary>
public sealed class ScriptedDrafter(string name, int heads, int[] greedySequence, Func<int, int, int, int> propose) : IDrafter
{
    public int Heads => heads;
    public string Name => name;
    private int[] Sequence { get; } = greedySequence;
    private Func<int, int, int, int> Propose { get; } = propose;

    /// <summary>Rank 0 is the greedy token; other ranks are distinct other tokens.</summary>
    public static ScriptedDrafter Oracle(int heads, int[] sequence, int vocab) =>
        new("oracle", heads, sequence, (greedy, rank, _) => (greedy + rank) % vocab);

    /// <summary>Every rank is some token other than the greedy one.</summary>
    public static ScriptedDrafter Adversary(int heads, int[] sequence, int vocab) =>
        new("adversary", heads, sequence, (greedy, rank, _) => (greedy + 1 + rank) % vocab);

    /// <summary>Distinct random tokens, reproducible from the seed.</summary>
    public static ScriptedDrafter Noise(int heads, int[] sequence, int vocab, int seed) =>
        new("noise", heads, sequence, (_, rank, position) => (new Random(seed + 7919 * position).Next(vocab) + rank) % vocab);

    public IDraftSession Begin(LlamaModel model) => new Session(this);

    /// <summary>A script costs no multiply-adds.</summary>
    public long MultiplyAddsPerStep(int committedRows, int draftedHeads) => 0;

    private sealed class Session(ScriptedDrafter d) : IDraftSession
    {
        private int last = -1;   // last committed position t

        public void Commit(Tensor hidden, ReadOnlySpan<int> positions, ReadOnlySpan<int> followingTokens)
        {
            Assert.Equal(hidden.Rows, positions.Length);
            Assert.Equal(last + 1, positions[0]);
            last = positions[^1];
        }

        public int[][] Draft(int heads, int topK, PerturbedCandidates? perturbed = null)
        {
            Assert.InRange(heads, 1, d.Heads);
            var candidates = new int[heads][];
            for (int k = 0; k < heads; k++)
            {
                int target = last + 2 + k;   // head k guesses x_{t+2+k}
                int greedy = target < d.Sequence.Length ? d.Sequence[target] : 0;
                candidates[k] = Enumerable.Range(0, topK).Select(r => d.Propose(greedy, r, target)).ToArray();
            }
            return candidates;
        }

        public void Dispose()
        {
        }
    }
}
