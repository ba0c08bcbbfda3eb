using System.Text.Json;
using Amphista.Decoding.Drafting;
using Amphista.Model.Llama;
using Amphista.Decoding.Trees;
using Amphista.Tensors;

namespace Amphista.Decoding.Tuning;

/// <summary>
/// A drafter's measured acceptance (SPEC §6): Probability[k][r] is how often, in speculative decoding
/// over a prompt set, the accepted path continues from depth k with head k's rank-r candidate, among
/// the steps whose path reached depth k. Measured in the decoding regime (eval's per-head, per-rank
/// acceptance, conditioned on reaching the head) with a wide tree, Medusa's mc_sim_7b_63: counting
/// every position teacher-forced instead overestimates, because easy stretches are crossed in few
/// steps and decoding spends its steps where drafting is hard.
/// </summary>
public sealed record AcceptanceProfile(int Steps, double[][] Probability)
{
    public const string FileName = "acceptance_profile.json";

    public int Heads => Probability.Length;
    public int Ranks => Probability[0].Length;

    /// <summary>Decodes the prompts with mc_sim_7b_63 (cut to the drafter's heads) and counts.</summary>
    public static AcceptanceProfile Measure(LlamaModel model, IDrafter drafter, IEnumerable<int[]> prompts, int maxNewTokens)
    {
        var tree = NamedTrees.McSim7b63.MaxDepth <= drafter.Heads ? NamedTrees.McSim7b63 : NamedTrees.McSim7b63.Truncate(drafter.Heads);
        var decoder = new SpeculativeDecoder(model, drafter, tree);
        var results = prompts.Select(p => decoder.Generate(new DecodeRequest(p, maxNewTokens, model.Config.EosTokenIds)));
        return FromResults(results, tree.MaxDepth, tree.TopKNeeded);
    }

    /// <summary>The profile of decoding results (eval's, for one) over a tree at most heads deep and ranks wide.</summary>
    public static AcceptanceProfile FromResults(IEnumerable<DecodeResult> results, int heads, int ranks)
    {
        var hits = new long[heads][];   // [K][R] steps whose path took rank r at depth k
        for (int k = 0; k < hits.Length; k++) hits[k] = new long[ranks];
        var reached = new long[heads];  // [K] steps whose path reached depth k
        int steps = 0;
        foreach (var result in results)
            foreach (var step in result.Accepted)
            {
                steps++;
                for (int k = 0; k < step.TreeDepth; k++)
                {
                    reached[k]++;
                    if (k >= step.Ranks.Length) break;
                    hits[k][step.Ranks[k]]++;
                }
            }
        if (steps == 0) throw new InputException("no speculative step to measure acceptance on: give longer continuations");
        return new AcceptanceProfile(steps, [.. hits.Select((h, k) => h.Select(n => reached[k] == 0 ? 0 : (double)n / reached[k]).ToArray())]);
    }

    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(new Stored(Steps, Probability), Json));

    public static AcceptanceProfile? Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json)
            ?? throw new InputException($"{path}: empty acceptance profile");
        if (stored.Probability is not { Length: > 0 } p || p.Any(r => r.Length != p[0].Length || r.Length == 0 || r.Any(x => x is < 0 or > 1)))
            throw new InputException($"{path}: probability must be a non-empty [heads][ranks] table of values in [0, 1]");
        return new AcceptanceProfile(stored.Steps, p);
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    private sealed record Stored(int Steps, double[][] Probability);
}
