using System.Text.Json;
using Amphista.Decoding.Drafting;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// A drafter's measured acceptance (SPEC §6): Probability[k][r] is how often head k's rank-r
/// candidate is the base model's own token x_{t+2+k}, over every position t of greedy continuations
/// of a prompt set (teacher-forced: the drafter sees the true prefix, as it does after each accepted
/// step). Medusa chooses its trees from the same per-head top-k accuracies.
/// </summary>
public sealed record AcceptanceProfile(int Positions, double[][] Probability)
{
    public const string FileName = "acceptance_profile.json";

    public int Heads => Probability.Length;
    public int Ranks => Probability[0].Length;

    public static AcceptanceProfile Measure(LlamaModel model, IDrafter drafter, IEnumerable<int[]> prompts, int maxNewTokens, int ranks)
    {
        var hits = new long[drafter.Heads][];   // [K][R]
        for (int k = 0; k < hits.Length; k++) hits[k] = new long[ranks];
        var offered = new long[drafter.Heads];   // [K] positions where head k had a token to guess
        foreach (var prompt in prompts)
        {
            var request = new DecodeRequest(prompt, maxNewTokens, model.Config.EosTokenIds);
            int[] sequence = [.. prompt, .. new GreedyDecoder(model).Generate(request).Tokens];
            Count(model, drafter, sequence, prompt.Length, hits, offered);
        }
        if (offered[0] == 0) throw new InputException("no position to measure acceptance at: give longer continuations");
        return new AcceptanceProfile((int)offered[0],
            [.. hits.Select((h, k) => h.Select(n => offered[k] == 0 ? 0 : (double)n / offered[k]).ToArray())]);
    }

    /// <summary>Commits the prompt, then one position at a time, drafting after each.</summary>
    private static void Count(LlamaModel model, IDrafter drafter, int[] sequence, int promptLength, long[][] hits, long[] offered)
    {
        int n = sequence.Length;
        var hidden = model.Forward(model.CreateCache(), sequence, [.. Enumerable.Range(0, n)], 0, AttentionMask.Causal(0, n));   // [n, D]
        var session = drafter.Begin(model);
        var prefix = new Tensor(promptLength, hidden.Cols, hidden.Span[..(promptLength * hidden.Cols)].ToArray());
        session.Commit(prefix, [.. Enumerable.Range(0, promptLength)], sequence.AsSpan(1, promptLength));
        var row = new Tensor(1, hidden.Cols);   // [1, D]
        for (int t = promptLength - 1; t + 2 < n; t++)   // positions 0..t committed, root x_{t+1} known
        {
            int[][] candidates = session.Draft(hits[0].Length);
            for (int k = 0; k < hits.Length && t + 2 + k < n; k++)
            {
                offered[k]++;
                int rank = Array.IndexOf(candidates[k], sequence[t + 2 + k]);
                if (rank >= 0) hits[k][rank]++;
            }
            hidden.Row(t + 1).CopyTo(row.Row(0));
            session.Commit(row, [t + 1], [sequence[t + 2]]);
        }
    }

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(new Stored(Positions, Probability), Json));

    public static AcceptanceProfile? Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json)
            ?? throw new InputException($"{path}: empty acceptance profile");
        if (stored.Probability is not { Length: > 0 } p || p.Any(r => r.Length != p[0].Length || r.Length == 0 || r.Any(x => x is < 0 or > 1)))
            throw new InputException($"{path}: probability must be a non-empty [heads][ranks] table of values in [0, 1]");
        return new AcceptanceProfile(stored.Positions, p);
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    private sealed record Stored(int Positions, double[][] Probability);
}
