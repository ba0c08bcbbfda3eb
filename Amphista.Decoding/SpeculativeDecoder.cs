using System.Runtime.InteropServices;
using Amphista.Decoding.Drafting;
using Amphista.Decoding.Sampling;
using Amphista.Decoding.Trees;
using Amphista.Decoding.Verification;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding;

/// <summary>
/// Tree speculative decoding (Medusa; Amphista §3). Each step: the drafter proposes top-k tokens
/// per head, the tree turns them into candidate continuations of the root, one base-model pass
/// verifies them all, the accepted path's tokens are emitted and its K/V rows moved into place, and
/// the base model's token after the path becomes the next root. With exact acceptance (the default)
/// the output is exactly <see cref="PlainDecoder"/>'s, greedy or sampled, whatever the drafter proposes.
/// </summary>
public sealed class SpeculativeDecoder : IDecoder
{
    private readonly LlamaModel model;
    private readonly IDrafter drafter;
    private readonly DraftTree tree;
    private readonly IAcceptanceRule rule;
    private readonly DraftTree[] cut;   // cut[d]: the tree to depth d, for the last tokens of a request

    public SpeculativeDecoder(LlamaModel model, IDrafter drafter, DraftTree tree, IAcceptanceRule? acceptance = null)
    {
        this.model = model;
        this.drafter = drafter;
        this.tree = tree;
        rule = acceptance ?? new ExactAcceptance();
        cut = [.. Enumerable.Range(0, tree.MaxDepth).Select(tree.Truncate), tree];
    }

    public string Name => drafter.Name;

    /// <summary>
    /// Under sampling, whether heads rank their candidates by the sampler's perturbed scores
    /// (<see cref="PerturbedCandidates"/>) rather than by their logits. Either way the output is the same.
    /// </summary>
    public bool PerturbedDrafts { get; init; } = true;

    public DecodeResult Generate(DecodeRequest request, Action<int>? onToken = null)
    {
        request.Validate(model);
        tree.CheckFits(drafter.Heads, Math.Max(tree.TopKNeeded, 1));
        var output = new Output(request, onToken);
        if (request.MaxNewTokens == 0) return output.Result(0);

        using var sequence = model.CreateSequenceState(extraSlots: tree.Size);
        var verifier = new TreeVerifier(model, sequence, tree.Size);
        using var session = drafter.Begin(model);
        bool drafts = tree.MaxDepth > 0;   // a root-only tree never drafts: its session need not follow along
        using var step = new StepBuffers(model, tree.Size);
        var sampler = new Sampler(request.Sampling);
        var perturbed = PerturbedDrafts && !request.Sampling.IsGreedy ? new PerturbedCandidates(request.Sampling) : null;
        int n = request.Prompt.Length;
        int[] promptPositions = [.. Enumerable.Range(0, n)];
        var hidden = model.Forward(sequence, request.Prompt, promptPositions, 0, AttentionMask.Causal(0, n));
        int root = sampler.Next(model.Kernels, model.Logits(sequence, hidden, ^1..), 0, n);
        int steps = 1;
        if (output.Emit(root)) return output.Result(steps);
        if (drafts) session.Commit(hidden, promptPositions, [.. request.Prompt[1..], root]);

        int committed = n;   // slots 0..committed-1 hold committed tokens; root sits at position committed
        while (true)
        {
            // With r tokens left, the root and r - 1 drafted ones can still be used; request
            // validation keeps every such node's position inside the context.
            var t = cut[Math.Min(tree.MaxDepth, output.Remaining - 1)];
            var tokens = step.Tokens.AsSpan(0, t.Size);                                   // [N]
            if (perturbed is not null) perturbed.FirstPosition = committed + 1;
            Candidates(t, session, root, tokens, perturbed);
            var treeHidden = verifier.Run(committed, t, tokens);                          // [N, D]
            int next = rule.Accept(new TreeStep(model, sequence, t, step.Tokens, treeHidden, committed), sampler, step.Path);
            verifier.Compact(committed, step.Path);
            steps++;
            output.Record(t, step.Path);
            for (int i = 1; i < step.Path.Count; i++)
                if (output.Emit(tokens[step.Path[i]])) return output.Result(steps);
            if (output.Emit(next)) return output.Result(steps);

            if (drafts) session.Commit(step.Accepted(treeHidden, committed, tokens, next), step.Positions, step.Following);
            committed += step.Path.Count;
            root = next;
        }
    }

    /// <summary>Node j's token: the root, or rank Rank[j] of head Head[j]'s candidates.</summary>
    private static void Candidates(DraftTree step, IDraftSession session, int root, Span<int> tokens, PerturbedCandidates? perturbed)
    {
        tokens[0] = root;
        if (step.Size == 1) return;
        int[][] candidates = session.Draft(step.MaxDepth, step.TopKNeeded, perturbed);
        for (int j = 1; j < step.Size; j++) tokens[j] = candidates[step.Head[j]][step.Rank[j]];
    }

    /// <summary>One generation's per-step buffers, sized for the full tree once.</summary>
    private sealed class StepBuffers(LlamaModel model, int nodes) : IDisposable
    {
        private readonly Tensor accepted = model.Kernels.Allocate(nodes, model.Config.HiddenSize);   // [A, D] the accepted nodes' hidden states
        private readonly int[] positions = new int[nodes];      // [A]
        private readonly int[] following = new int[nodes];      // [A]
        private readonly int[] rows = new int[nodes];           // [A] 0, 1, ...: where each accepted row lands

        public int[] Tokens { get; } = new int[nodes];          // [N]
        public List<int> Path { get; } = new(nodes);            // [A] accepted nodes, root first

        public ReadOnlySpan<int> Positions => positions.AsSpan(0, Path.Count);

        public ReadOnlySpan<int> Following => following.AsSpan(0, Path.Count);

        /// <summary>
        /// The accepted nodes' hidden states [A, D]; fills their positions (committed + i) and the token
        /// after each (the next node's, and next after the last).
        /// </summary>
        public Tensor Accepted(Tensor treeHidden, int committed, ReadOnlySpan<int> tokens, int next)
        {
            accepted.Resize(Path.Count);
            for (int i = 0; i < Path.Count; i++)
            {
                rows[i] = i;
                positions[i] = committed + i;
                following[i] = i + 1 < Path.Count ? tokens[Path[i + 1]] : next;
            }
            model.Kernels.CopyRows(treeHidden, CollectionsMarshal.AsSpan(Path), accepted, rows.AsSpan(0, Path.Count));
            return accepted;
        }

        public void Dispose() => accepted.Dispose();
    }

    /// <summary>Emits tokens one at a time and cuts exactly where greedy decoding stops.</summary>
    private sealed class Output(DecodeRequest request, Action<int>? onToken)
    {
        private readonly List<int> tokens = new(request.MaxNewTokens);
        private readonly List<int> ranks = new(request.MaxNewTokens);      // every step's accepted ranks, in order
        private readonly List<int> stepEnds = new(request.MaxNewTokens);   // where each step's ranks end
        private readonly List<int> depths = new(request.MaxNewTokens);     // each step's tree depth

        public int Remaining => request.MaxNewTokens - tokens.Count;

        /// <summary>Returns true when generation must end after this token.</summary>
        public bool Emit(int token)
        {
            tokens.Add(token);
            onToken?.Invoke(token);
            return request.IsStop(token) || tokens.Count == request.MaxNewTokens;
        }

        public void Record(DraftTree step, List<int> path)
        {
            for (int i = 1; i < path.Count; i++) ranks.Add(step.Rank[path[i]]);
            stepEnds.Add(ranks.Count);
            depths.Add(step.MaxDepth);
        }

        public DecodeResult Result(int steps)
        {
            var accepted = new AcceptedStep[stepEnds.Count];
            for (int s = 0, start = 0; s < accepted.Length; start = stepEnds[s++])
                accepted[s] = new AcceptedStep([.. ranks[start..stepEnds[s]]], depths[s]);
            return new([.. tokens], steps, accepted);
        }
    }
}
