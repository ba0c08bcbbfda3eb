using Amphista.Decoding.Drafting.Amphista;
using Amphista.Tensors;
using Amphista.Tests.Decoding;
using Amphista.Tests.Support;
using Amphista.Training;
using FsCheck;
using FsCheck.Fluent;
using Amphista.Training.Core;

namespace Amphista.Tests.Training.Drafters;

/// <summary>A random base model with a drafter geometry of its own (H, Hkv, Dh, F need not be the base model's).</summary>
public sealed record AmphistaTrainingCase(RandomModel Model, AmphistaConfig Config, DType Type, int Length, int Seed)
{
    public override string ToString() => $"model {Model}; drafter {Config}; {Type}; T = {Length}; seed {Seed}";

    public static Gen<AmphistaTrainingCase> Gen(int maxLength) =>
        from model in RandomModel.Gen
        from heads in FsCheck.Fluent.Gen.Choose(1, 4)
        from stages in FsCheck.Fluent.Gen.Choose(1, heads)
        from blockLayers in FsCheck.Fluent.Gen.Choose(1, 2)
        from f in FsCheck.Fluent.Gen.Choose(3, 16)
        from kv in FsCheck.Fluent.Gen.Choose(1, 2)
        from share in FsCheck.Fluent.Gen.Choose(1, 2)
        from halfDh in FsCheck.Fluent.Gen.Choose(1, 3)
        from type in FsCheck.Fluent.Gen.Elements(DType.F32, DType.BF16)
        from length in FsCheck.Fluent.Gen.Choose(2, maxLength)
        from seed in FsCheck.Fluent.Gen.Choose(0, 1 << 20)
        select new AmphistaTrainingCase(model,
            AmphistaConfig.ForBaseModel(model.Config, heads, stages, blockLayers) with
            {
                AdaptationIntermediateSize = f, NumHeads = kv * share, NumKvHeads = kv, HeadDim = 2 * halfDh,
            },
            type, length, seed);

    /// <summary>Hidden states h [T, D] and tokens s [T] of one sequence.</summary>
    public (Tensor Hidden, int[] Tokens) Sequence()
    {
        var rng = new Random(Seed + 2);
        return (Rand.Tensor(Length, Model.Config.HiddenSize, Seed + 1),
            Enumerable.Range(0, Length).Select(_ => rng.Next(Model.Config.VocabSize)).ToArray());
    }
}

internal static class AmphistaTrainableFixtures
{
    /// <summary>
    /// Values at which every branch moves the output measurably, unlike a fresh drafter's near-identity
    /// layers: matrices N(0, 0.25/cols) (each output row at half the scale of its input: at full scale
    /// the chain of 2 + S + B layers grows curved enough that finite differences with ε = 1e-2 miss by
    /// several per cent, and float rounding grows past 1e-5), gains U(0.7, 1.3), biases N(0, 0.3²),
    /// P N(0, 0.5²).
    /// </summary>
    public static void Randomize(ParameterSet parameters, int seed)
    {
        var rng = new RandomWeights(seed);
        foreach (var p in parameters)
        {
            float[] values = p.Name.EndsWith("norm.weight") ? rng.Gains(p.Cols)
                : p.Name.EndsWith(".bias") ? rng.Vector(p.Cols, 0.3f)
                : p.Name == AmphistaCheckpoint.HeadEmbeddingsKey ? rng.Vector(p.Rows * p.Cols, 0.5f)
                : rng.Vector(p.Rows * p.Cols, 0.5f / MathF.Sqrt(p.Cols));
            values.CopyTo(p.Value.Data, 0);
        }
    }

    /// <summary>Σ_k λ^k · mean over counted positions of CE(logits_k[i], s_{i+2+k}), in double.</summary>
    public static double Loss(Tensor[] logits, int[] tokens, float lossDecay)
    {
        double loss = 0;
        for (int k = 0; k < logits.Length; k++)
        {
            var (sum, count) = HeadLoss(logits[k], tokens, k);
            if (count > 0) loss += Math.Pow(lossDecay, k) * sum / count;
        }
        return loss;
    }

    /// <summary>Head k's summed cross-entropy and counted positions.</summary>
    public static (double Sum, int Count) HeadLoss(Tensor logits, int[] tokens, int k)
    {
        double sum = 0;
        int count = 0;
        for (int i = 0; i + 2 + k < tokens.Length; i++)
        {
            ReadOnlySpan<float> row = logits.Row(i);
            double max = double.NegativeInfinity;
            foreach (float z in row) max = Math.Max(max, z);
            double exps = 0;
            foreach (float z in row) exps += Math.Exp(z - max);
            sum += Math.Log(exps) + max - row[tokens[i + 2 + k]];
            count++;
        }
        return (sum, count);
    }
}
