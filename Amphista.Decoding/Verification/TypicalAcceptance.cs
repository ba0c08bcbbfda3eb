using Amphista.Decoding.Sampling;
using Amphista.Decoding.Trees;
using Amphista.Model.Llama;
using Amphista.Tensors;
using Amphista.Tensors.Kernels;

namespace Amphista.Decoding.Verification;

/// <summary>
/// Medusa's typical acceptance (Medusa §2.3.1), for sampling: NOT lossless. A drafted token is
/// accepted when the base model's tempered probability of it exceeds
/// min(threshold, alpha · exp(-H(p))), H the entropy of the parent's distribution p. The deepest
/// node whose whole path is accepted wins (lowest node index among equals); the next token is drawn
/// from p at that node with the same cut applied. Seeded, so runs are reproducible. It draws its own
/// randomness: the lossless sampler's choice is not used.
/// </summary>
public sealed class TypicalAcceptance(float temperature, float threshold, float alpha, int seed) : IAcceptanceRule
{
    private readonly Random rng = new(seed);

    public bool IsLossless => false;

    public int Accept(TreeStep step, Sampler sampler, List<int> path)
    {
        if (temperature <= 0) throw new InputException("typical acceptance needs a temperature > 0");
        var tree = step.Tree;
        var tokens = step.Tokens;
        var probs = Probabilities(step.Model, step.Sequence, step.Hidden);       // [N, V]
        var cut = new float[tree.Size];                    // [N] acceptance threshold per parent
        for (int j = 0; j < tree.Size; j++) cut[j] = Cut(probs.Row(j));

        var ok = new bool[tree.Size];                      // [N] whole path accepted
        ok[0] = true;
        int best = 0;
        for (int j = 1; j < tree.Size; j++)
        {
            int parent = tree.Parent[j];
            ok[j] = ok[parent] && probs[parent, tokens[j]] > cut[parent];
            if (ok[j] && tree.Depth[j] > tree.Depth[best]) best = j;
        }
        PathTo(tree, best, path);
        return Sample(probs.Row(best), cut[best]);
    }

    /// <summary>softmax(logits / temperature) [N, V] on the host, where the sampling happens.</summary>
    private Tensor Probabilities(LlamaModel model, SequenceState sequence, Tensor hidden)
    {
        var logits = model.Logits(sequence, hidden);       // [N, V] in the backend's memory
        var probs = model.Kernels.ToHost(logits);          // [N, V]
        for (int i = 0; i < probs.Rows * probs.Cols; i++) probs.Data[i] /= temperature;
        new ReferenceKernels().Softmax(probs);
        return probs;
    }

    private float Cut(ReadOnlySpan<float> p)
    {
        double entropy = 0;
        foreach (float q in p) entropy -= q * Math.Log(q + 1e-5);
        return (float)Math.Min(threshold, alpha * Math.Exp(-entropy));
    }

    /// <summary>Draws from p restricted to the tokens at or above the cut (the most likely one always stays).</summary>
    private int Sample(ReadOnlySpan<float> p, float cutoff)
    {
        int top = 0;
        double mass = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] > p[top]) top = i;
            if (p[i] >= cutoff) mass += p[i];
        }
        double u = rng.NextDouble() * mass;
        for (int i = 0; i < p.Length; i++)
            if (p[i] >= cutoff && (u -= p[i]) <= 0) return i;
        return top;
    }

    private static void PathTo(DraftTree tree, int node, List<int> path)
    {
        path.Clear();
        for (int j = node; j >= 0; j = tree.Parent[j]) path.Add(j);
        path.Reverse();
    }
}
