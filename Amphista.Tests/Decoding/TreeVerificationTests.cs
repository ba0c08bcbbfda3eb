using Amphista.Decoding.Trees;
using Amphista.Decoding.Verification;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tests.Support;
using Amphista.Tests.Trees;
using FsCheck;
using FsCheck.Fluent;

namespace Amphista.Tests.Decoding;

/// <summary>
/// The heart of losslessness: a tree node's logits from one verification pass are bit-identical
/// to the logits that token-by-token decoding of the same path computes; and compaction leaves the
/// cache exactly as sequential decoding of the accepted path would have.
/// </summary>
public class TreeVerificationTests
{
    public sealed record Case(RandomModel Model, int[] Prompt, DraftTree Tree, int Seed)
    {
        public override string ToString() => $"model {Model}; prompt [{string.Join(',', Prompt)}]; tree of {Tree.Size} nodes; seed {Seed}";
    }

    private static Gen<Case> Cases =>
        from model in RandomModel.Gen
        from prompt in RandomModel.Prompt(model.Config.VocabSize)
        from tree in TreeGen.Trees(maxHeads: 4, maxTopK: 3)
        from seed in Gen.Choose(0, 1 << 20)
        select new Case(model, prompt, tree, seed);

    [Fact]
    public void EveryTreeNodesLogitsEqualTokenByTokenDecodingOfItsPathBitForBit() => Properties.Check(Cases, c =>
    {
        var model = c.Model.Build();
        var rng = new Random(c.Seed);
        int[] tokens = Enumerable.Range(0, c.Tree.Size).Select(_ => rng.Next(model.Config.VocabSize)).ToArray();
        var sequence = model.CreateSequenceState(extraSlots: c.Tree.Size);
        int n = Prefill(model, sequence, c.Prompt);
        var treeHidden = new TreeVerifier(model, sequence, c.Tree.Size).Run(n, c.Tree, tokens);

        for (int j = 0; j < c.Tree.Size; j++)
        {
            int[] path = PathTo(c.Tree, j).Select(node => tokens[node]).ToArray();
            var sequential = model.CreateSequenceState();
            Prefill(model, sequential, c.Prompt);
            Tensor last = null!;
            for (int i = 0; i < path.Length; i++)
                last = model.Forward(sequential, [path[i]], [n + i], n + i, AttentionMask.Causal(n + i, 1));
            Assertions.BitwiseEqual(model.Logits(sequential, last).Row(0), model.Logits(sequence, treeHidden, j..(j + 1)).Row(0), $"node {j} logits, {c}");
        }
    });

    [Fact]
    public void CompactionLeavesTheCacheAsSequentialDecodingWould() => Properties.Check(Cases, c =>
    {
        var model = c.Model.Build();
        var rng = new Random(c.Seed);
        int[] tokens = Enumerable.Range(0, c.Tree.Size).Select(_ => rng.Next(model.Config.VocabSize)).ToArray();
        int leaf = rng.Next(c.Tree.Size);
        int[] accepted = PathTo(c.Tree, leaf);
        var sequence = model.CreateSequenceState(extraSlots: c.Tree.Size);
        int n = Prefill(model, sequence, c.Prompt);
        var verifier = new TreeVerifier(model, sequence, c.Tree.Size);
        verifier.Run(n, c.Tree, tokens);
        verifier.Compact(n, accepted);

        var sequential = model.CreateSequenceState(extraSlots: c.Tree.Size);
        Prefill(model, sequential, c.Prompt);
        for (int i = 0; i < accepted.Length; i++)
            model.Forward(sequential, [tokens[accepted[i]]], [n + i], n + i, AttentionMask.Causal(n + i, 1));
        for (int l = 0; l < model.Config.NumLayers; l++)
        {
            int used = (n + accepted.Length) * sequential.Cache.Layers[l].K.Cols;
            Assertions.BitwiseEqual(sequential.Cache.Layers[l].K.Data.AsSpan(0, used), sequence.Cache.Layers[l].K.Data.AsSpan(0, used), $"layer {l} keys, {c}");
            Assertions.BitwiseEqual(sequential.Cache.Layers[l].V.Data.AsSpan(0, used), sequence.Cache.Layers[l].V.Data.AsSpan(0, used), $"layer {l} values, {c}");
        }
    });

    private static int Prefill(LlamaModel model, SequenceState sequence, int[] prompt)
    {
        model.Forward(sequence, prompt, Enumerable.Range(0, prompt.Length).ToArray(), 0, AttentionMask.Causal(0, prompt.Length));
        return prompt.Length;
    }

    private static int[] PathTo(DraftTree tree, int node)
    {
        var path = new List<int>();
        for (int j = node; j >= 0; j = tree.Parent[j]) path.Add(j);
        path.Reverse();
        return [.. path];
    }
}
