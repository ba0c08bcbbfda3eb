using Amphista.Decoding.Drafting;
using Amphista.Decoding.Trees;
using Amphista.Decoding.Verification;
using Amphista.Model.Llama;
using Amphista.Tensors;

namespace Amphista.Decoding;

/// <summary>
/// Tree speculative decoding (Medusa; Amphista §3). Each step: the drafter proposes top-k tokens
/// per head, the tree turns them into candidate continuations of the root, one base-model pass
/// verifies them all, the accepted path's tokens are emitted and its K/V rows moved into place, and
/// the base model's token after the path becomes the next root. With greedy acceptance the output
/// is exactly <see cref="GreedyDecoder"/>'s, whatever the drafter proposes.
/// </summary>
public sealed class SpeculativeDecoder(LlamaModel model, IDrafter drafter, DraftTree tree, IAcceptanceRule? acceptance = null)
    : IDecoder
{
    private readonly IAcceptanceRule rule = acceptance ?? new GreedyAcceptance();
    private readonly Dictionary<int, DraftTree> truncated = new();

    public string Name => drafter.Name;

    public DecodeResult Generate(DecodeRequest request, Action<int>? onToken = null)
    {
        request.Validate(model);
        tree.CheckFits(drafter.Heads, Math.Max(tree.TopKNeeded, 1));
        var output = new Output(request, onToken);
        if (request.MaxNewTokens == 0) return output.Result(0);

        var cache = model.CreateCache(extraSlots: tree.Size);
        var session = drafter.Begin(model);
        int n = request.Prompt.Length;
        var hidden = model.Forward(cache, request.Prompt, Enumerable.Range(0, n).ToArray(), 0, AttentionMask.Causal(0, n));
        int root = model.Kernels.Argmax(model.Logits(hidden, n - 1).Row(0));
        int steps = 1;
        if (output.Emit(root)) return output.Result(steps);
        session.Commit(hidden, Enumerable.Range(0, n).ToArray(), [.. request.Prompt[1..], root]);

        int committed = n;   // slots 0..committed-1 hold committed tokens; root sits at position committed
        while (true)
        {
            var step = TreeFor(output.Remaining);
            int[] tokens = Candidates(step, session, root);                                  // [N]
            var treeHidden = TreeVerifier.Run(model, cache, committed, step, tokens);     // [N, D]
            var accepted = rule.Accept(model, step, tokens, treeHidden);
            TreeVerifier.Compact(cache, committed, accepted.Path);
            steps++;
            output.Record(new AcceptedStep([.. accepted.Path[1..].Select(j => step.Rank[j])], step.MaxDepth));
            for (int i = 1; i < accepted.Path.Length; i++)
                if (output.Emit(tokens[accepted.Path[i]])) return output.Result(steps);
            if (output.Emit(accepted.Next)) return output.Result(steps);

            session.Commit(Rows(treeHidden, accepted.Path), Enumerable.Range(committed, accepted.Path.Length).ToArray(),
                [.. accepted.Path[1..].Select(j => tokens[j]), accepted.Next]);
            committed += accepted.Path.Length;
            root = accepted.Next;
        }
    }

    /// <summary>
    /// The tree cut to the tokens still wanted: with r tokens left, the root and r - 1 drafted ones
    /// can still be used. Request validation keeps every such node's position inside the context.
    /// </summary>
    private DraftTree TreeFor(int remaining)
    {
        int depth = Math.Min(tree.MaxDepth, remaining - 1);
        if (depth == tree.MaxDepth) return tree;
        if (!truncated.TryGetValue(depth, out var cut)) truncated[depth] = cut = tree.Truncate(depth);
        return cut;
    }

    /// <summary>Node j's token: the root, or rank Rank[j] of head Head[j]'s candidates.</summary>
    private static int[] Candidates(DraftTree step, IDraftSession session, int root)
    {
        int[] tokens = new int[step.Size];
        tokens[0] = root;
        if (step.Size == 1) return tokens;
        int[][] candidates = session.Draft(step.TopKNeeded);
        for (int j = 1; j < step.Size; j++) tokens[j] = candidates[step.Head[j]][step.Rank[j]];
        return tokens;
    }

    private static Tensor Rows(Tensor x, int[] rows)
    {
        var y = new Tensor(rows.Length, x.Cols);
        for (int i = 0; i < rows.Length; i++) x.Row(rows[i]).CopyTo(y.Row(i));
        return y;
    }

    /// <summary>Emits tokens one at a time and cuts exactly where greedy decoding stops.</summary>
    private sealed class Output(DecodeRequest request, Action<int>? onToken)
    {
        private readonly List<int> tokens = [];
        private readonly List<AcceptedStep> accepted = [];

        public int Remaining => request.MaxNewTokens - tokens.Count;

        /// <summary>Returns true when generation must end after this token.</summary>
        public bool Emit(int token)
        {
            tokens.Add(token);
            onToken?.Invoke(token);
            return request.IsStop(token) || tokens.Count == request.MaxNewTokens;
        }

        public void Record(AcceptedStep step) => accepted.Add(step);

        public DecodeResult Result(int steps) => new([.. tokens], steps, accepted);
    }
}
