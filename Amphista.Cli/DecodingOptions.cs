using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Decoding.Verification;
using Amphista.Model.Llama;

namespace Amphista.Cli;

/// <summary>
/// The flags that choose a decoder, shared by every command that decodes: --drafter SPEC (greedy,
/// medusa:random[:SEED], amphista:random[:SEED], or a drafter checkpoint directory), --tree NAME
/// (a known tree or a literal path list; without it, the tree stored with a drafter checkpoint, else
/// mc_sim_7b_63) and --heads K (for random drafters).
/// </summary>
public sealed class DecodingOptions
{
    public const string Greedy = "greedy";
    public const string DefaultTree = "mc_sim_7b_63";
    public const int DefaultHeads = 4;

    public static readonly string[] Options = ["--drafter", "--tree", "--heads"];

    private readonly string command;

    /// <summary>The drafter as given; "greedy" means no drafter.</summary>
    public string DrafterSpec { get; }

    public DraftTree Tree { get; }

    public int Heads { get; }

    public bool IsGreedy => DrafterSpec == Greedy;

    private DecodingOptions(string command, string drafterSpec, DraftTree tree, int heads)
    {
        this.command = command;
        DrafterSpec = drafterSpec;
        Tree = tree;
        Heads = heads;
    }

    /// <summary>
    /// Reads the flags; a null defaultDrafter makes --drafter required. The tree is resolved here, before
    /// any model is loaded, so a misspelt name fails at once. --tree and --heads without a drafter are
    /// refused rather than ignored: they would suggest a speculative run that is not happening.
    /// </summary>
    public static DecodingOptions Parse(string command, CliArguments args, string? defaultDrafter)
    {
        string spec = defaultDrafter is null ? args.Require("--drafter") : args.Get("--drafter") ?? defaultDrafter;
        if (spec == Greedy && (args.Has("--tree") || args.Has("--heads")))
            throw new UsageException($"{command}: --tree and --heads need a drafter (--drafter SPEC)");
        if (args.Get("--tree") == "auto")
            throw new UsageException($"{command}: --tree auto is chosen by bench, which measures this machine: run " +
                "'amphista bench --drafters greedy,DIR --tree auto'; it stores the tree in DIR, where every command finds it");
        var tree = NamedTrees.Get(args.Get("--tree") ?? Amphista.Decoding.Drafting.DrafterSpec.StoredTree(spec) ?? DefaultTree);
        return new DecodingOptions(command, spec, tree, args.Int("--heads", DefaultHeads, min: 1));
    }

    /// <summary>The drafter sized to this model, or null for greedy; fails early if the tree needs more heads than it has.</summary>
    public IDrafter? CreateDrafter(LlamaModel model)
    {
        var drafter = Amphista.Decoding.Drafting.DrafterSpec.Create(DrafterSpec, model.Config, Heads);
        if (drafter is null) return null;
        if (Tree.HeadsNeeded > drafter.Heads)
            throw new TreeException(
                $"{command}: tree '{Tree.Name}' is {Tree.HeadsNeeded} deep but drafter '{DrafterSpec}' has {drafter.Heads} heads " +
                "(pick a smaller --tree, or more --heads for a random drafter)");
        return drafter;
    }

    /// <summary>Greedy decoding, or tree speculative decoding with the drafter and the acceptance rule (greedy when null).</summary>
    public IDecoder CreateDecoder(LlamaModel model, IAcceptanceRule? acceptance = null) =>
        CreateDecoder(model, CreateDrafter(model), acceptance);

    public IDecoder CreateDecoder(LlamaModel model, IDrafter? drafter, IAcceptanceRule? acceptance = null) =>
        drafter is null ? new GreedyDecoder(model) : new SpeculativeDecoder(model, drafter, Tree, acceptance);
}
