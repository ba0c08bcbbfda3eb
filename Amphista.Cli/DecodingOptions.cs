using Amphista.Decoding;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Decoding.Tuning;
using Amphista.Decoding.Verification;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Cli;

/// <summary>
/// The flags that choose a decoder, shared by every command that decodes: --drafter SPEC (greedy,
/// medusa:random[:SEED], amphista:random[:SEED], or a drafter checkpoint directory), --tree NAME
/// (a known tree, a literal path list, or auto: the tree this machine's measured costs favour for the
/// drafter's stored acceptance profile; without it, the tree stored with a drafter checkpoint, else
/// mc_sim_7b_63) and --heads K (for random drafters).
/// </summary>
public sealed class DecodingOptions
{
    public const string Greedy = "greedy";
    public const string DefaultTree = "mc_sim_7b_63", AutoTree = "auto";
    public const int DefaultHeads = 4, AutoMaxNodes = 64, AutoCurveRepeats = 3;

    public static readonly string[] Options = ["--drafter", "--tree", "--heads"];

    private readonly string command;

    /// <summary>The drafter as given; "greedy" means no drafter.</summary>
    public string DrafterSpec { get; }

    private DraftTree? tree;   // null for --tree auto until CreateDrafter has measured this machine
    private bool autoChoseGreedy;

    public DraftTree Tree => tree ?? throw new InvalidOperationException("--tree auto is chosen in CreateDrafter, once the model is loaded");

    public int Heads { get; }

    public bool IsGreedy => DrafterSpec == Greedy;

    private DecodingOptions(string command, string drafterSpec, DraftTree? tree, int heads)
    {
        this.command = command;
        DrafterSpec = drafterSpec;
        this.tree = tree;
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
        if (args.Get("--tree") == AutoTree && !Directory.Exists(spec))
            throw new UsageException($"{command}: --tree auto prices trees with the acceptance profile stored in a drafter directory; " +
                $"'{spec}' is not one");
        var tree = args.Get("--tree") == AutoTree ? null
            : NamedTrees.Get(args.Get("--tree") ?? Amphista.Decoding.Drafting.DrafterSpec.StoredTree(spec) ?? DefaultTree);
        return new DecodingOptions(command, spec, tree, args.Int("--heads", DefaultHeads, min: 1));
    }

    /// <summary>
    /// The drafter sized to this model, or null for greedy; fails early if the tree needs more heads than
    /// it has. With --tree auto, measures this machine first and chooses the tree (why, to the log).
    /// </summary>
    public IDrafter? CreateDrafter(LlamaModel model, TextWriter? log = null)
    {
        var drafter = Amphista.Decoding.Drafting.DrafterSpec.Create(DrafterSpec, model.Config, Heads);
        if (drafter is null) return null;
        if (tree is null)
        {
            tree = ChooseTree(model, drafter, log);
            autoChoseGreedy = tree.Size == 1;
        }
        if (Tree.HeadsNeeded > drafter.Heads)
            throw new TreeException(
                $"{command}: tree '{Tree.Name}' is {Tree.HeadsNeeded} deep but drafter '{DrafterSpec}' has {drafter.Heads} heads " +
                "(pick a smaller --tree, or more --heads for a random drafter)");
        return drafter;
    }

    /// <summary>The best tree for this machine from the drafter's stored acceptance profile, or the root alone when none pays.</summary>
    private DraftTree ChooseTree(LlamaModel model, IDrafter drafter, TextWriter? log)
    {
        var profile = AcceptanceProfile.Load(DrafterSpec) ?? throw new InputException(
            $"{command}: --tree auto needs {Path.Combine(DrafterSpec, AcceptanceProfile.FileName)} (eval --save-profile measures it)");
        var plan = TreePlan.Measure(model, drafter, profile, AutoMaxNodes, AutoCurveRepeats);
        var choice = plan.Best(AutoMaxNodes);
        // Falling back to greedy decoding is said even without --verbose: the drafter asked for is not used.
        (choice.Tree.Size == 1 ? log ?? Console.Error : log)?.WriteLine(plan.Explain(drafter.Name, choice, chosen: true));
        return choice.Tree;
    }

    /// <summary>
    /// Plain decoding (no drafter, or --tree auto found that no tree pays), or tree speculative decoding
    /// with the drafter, accepting drafts exactly unless sampling asks for typical acceptance.
    /// </summary>
    public IDecoder CreateDecoder(LlamaModel model, IDrafter? drafter, SamplingOptions? sampling = null) =>
        drafter is null || autoChoseGreedy
            ? new PlainDecoder(model)
            : new SpeculativeDecoder(model, drafter, Tree, sampling?.Typical) { PerturbedDrafts = sampling?.PerturbedDrafts ?? true };
}
