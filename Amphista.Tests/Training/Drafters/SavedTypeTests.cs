using Amphista.Decoding.Drafting.Amphista;
using Amphista.Decoding.Drafting.Medusa;
using Amphista.Tensors;
using Amphista.Training.Core;
using Amphista.Tests.Support;
using Amphista.Training.Drafters;

namespace Amphista.Tests.Training.Drafters;

/// <summary>
/// A trained drafter is written in its base model's weight type (bf16 for the demo model, float32 for
/// hf-tiny-a), as Medusa ships its heads, so drafting reads as few bytes as the base model does;
/// vectors stay float32. The bf16 matrices are the float32 ones rounded to nearest even.
/// </summary>
public class SavedTypeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MedusaHeadsAreSavedInTheBaseModelsType(bool demo)
    {
        var model = demo ? TestData.Demo : TestData.Tiny;
        var trainable = MedusaTrainable.Create(model, heads: 2);
        var saved = RoundTrip(trainable.Save, MedusaWeights.Load);
        Assert.All(saved.Heads, h => Assert.Equal(model.Weights.LmHead.Type, h.Blocks[0].Weight.Type));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AmphistaMatricesAreSavedInTheBaseModelsType(bool demo)
    {
        var model = demo ? TestData.Demo : TestData.Tiny;
        var trainable = AmphistaTrainable.Create(model, heads: 2, stages: 1, blockLayers: 1, mlpWidth: 16, seed: 3);
        var saved = RoundTrip(trainable.Save, AmphistaWeights.Load);
        var type = model.Weights.LmHead.Type;
        Assert.Equal(type, saved.Fusion.Type);
        Assert.All(saved.Stages.Concat(saved.AutoEmbedding.Layers).SelectMany(l => l.Matrices), m => Assert.Equal(type, m.Type));
        Assert.All(saved.Heads, h => Assert.Equal(type, h.Linear.Type));
        var trained = trainable.ToWeights().Fusion;
        for (int i = 0; i < trained.F32!.Length; i += 97)
            Assert.Equal(type == DType.BF16 ? DTypes.SingleToBF16(trained.F32[i]) : BitConverter.SingleToUInt32Bits(trained.F32[i]),
                type == DType.BF16 ? saved.Fusion.BF16![i] : BitConverter.SingleToUInt32Bits(saved.Fusion.F32![i]));
    }

    private static T RoundTrip<T>(Action<string> save, Func<string, T> load)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"amphista-saved-type-{Guid.NewGuid():N}");
        try
        {
            save(dir);
            return load(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
