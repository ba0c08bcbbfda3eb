using System.Globalization;
using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Model;
using Amphista.Tensors;

namespace Amphista.Decoding.Drafting;

/// <summary>
/// The one place a drafter is named: "greedy" (no drafter), "medusa:random[:SEED]",
/// "amphista:random[:SEED]", or a drafter checkpoint directory (its config file says which kind).
/// Random drafters are sized to the base model and seeded, so audits can reproduce them; a random
/// Amphista drafter has the default S = min(2, K) stages and B = 1 block layer.
/// </summary>
public static class DrafterSpec
{
    public const int DefaultSeed = 0;

    /// <summary>Returns null for "greedy".</summary>
    public static IDrafter? Create(string spec, LlamaConfig model, int heads)
    {
        if (heads < 1) throw new InputException($"a drafter needs at least one head, got {heads}");
        if (spec == "greedy") return null;
        string[] parts = spec.Split(':');
        if (parts.Length is 2 or 3 && parts[1] == "random")
        {
            int seed = parts.Length == 3 ? ParseSeed(spec, parts[2]) : DefaultSeed;
            return parts[0] switch
            {
                "medusa" => new MedusaDrafter(MedusaWeights.Random(
                    new MedusaConfig(heads, Layers: 1, model.HiddenSize, model.VocabSize, SharedLmHead: true), seed)),
                "amphista" => new AmphistaDrafter(AmphistaWeights.Random(AmphistaConfig.ForBaseModel(model, heads), seed)),
                _ => throw Unknown(spec),
            };
        }
        if (Directory.Exists(spec)) return LoadDirectory(spec);
        throw Unknown(spec);
    }

    /// <summary>The file in a drafter directory that names the tree to use with it when none is given.</summary>
    public const string TreeFileName = "draft_tree.json";

    /// <summary>
    /// The tree stored with a drafter checkpoint (a tree name or a path list such as [[0],[0,0],[1]],
    /// chosen for the machine it will run on), or null when the spec is not a directory holding one.
    /// </summary>
    public static string? StoredTree(string spec)
    {
        string path = Path.Combine(spec, TreeFileName);
        return Directory.Exists(spec) && File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>
    /// The drafter in a directory as stored, with its draft vocabulary when it has one, whatever base
    /// model it fits (<see cref="IDrafter.Begin"/> checks that).
    /// </summary>
    public static IDrafter LoadDirectory(string directory)
    {
        if (File.Exists(Path.Combine(directory, AmphistaConfig.FileName)))
        {
            var weights = AmphistaWeights.Load(directory);
            return new AmphistaDrafter(weights, DraftVocabulary.Load(directory, weights.Config.VocabSize));
        }
        if (File.Exists(Path.Combine(directory, MedusaConfig.FileName)))
        {
            var weights = MedusaWeights.Load(directory);
            return new MedusaDrafter(weights, DraftVocabulary.Load(directory, weights.Config.VocabSize));
        }
        throw new InputException(
            $"'{directory}' holds no drafter: expected {AmphistaConfig.FileName} (Amphista) or {MedusaConfig.FileName} (Medusa)");
    }

    private static int ParseSeed(string spec, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed)
            ? seed
            : throw new InputException($"drafter '{spec}': seed '{text}' is not an integer");

    private static InputException Unknown(string spec) => new(
        $"unknown drafter '{spec}': use greedy, medusa:random[:SEED], amphista:random[:SEED], or a drafter checkpoint directory");
}
