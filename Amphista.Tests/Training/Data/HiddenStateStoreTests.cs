using Amphista.Tensors;
using Amphista.Tests.Support;
using Amphista.Training.Data;

namespace Amphista.Tests.Training.Data;

/// <summary>The cached hidden states are exactly a direct causal Forward's, in memory and memory-mapped alike.</summary>
public class HiddenStateStoreTests
{
    private static readonly TrainingSequence[] Sequences =
    [
        new([1, 887, 1099, 561, 29, 400, 12, 7, 3000], 9),
        new([1, 45], 2),
        new([1, 5, 9, 13, 200, 7, 3, 99, 4095, 2, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26], 12),
    ];

    [Fact]
    public void RowsEqualADirectForwardBitForBit()
    {
        var model = TestData.Demo;
        using var cache = HiddenStateStore.Build(model, Sequences);
        Assert.False(cache.IsFileBacked);
        Assert.Equal(3, cache.Count);
        Assert.Equal(model.Config.HiddenSize, cache.Width);
        for (int i = 0; i < Sequences.Length; i++)
        {
            int[] tokens = Sequences[i].Tokens;
            var direct = model.Forward(model.CreateSequenceState(), tokens, Enumerable.Range(0, tokens.Length).ToArray(), 0,
                AttentionMask.Causal(0, tokens.Length));                                   // [T, D]
            Assertions.BitwiseEqual(direct.Data, cache.Hidden(i), $"sequence {i}");
            Assert.Same(Sequences[i], cache.Sequence(i));
        }
    }

    [Fact]
    public void TheFileBackedCacheHoldsTheSameRowsAndDeletesItsFile()
    {
        var model = TestData.Demo;
        string directory = Directory.CreateTempSubdirectory("amphista-cache-test").FullName;
        try
        {
            using var memory = HiddenStateStore.Build(model, Sequences);
            var file = HiddenStateStore.Build(model, Sequences, memoryLimitBytes: 4 * 384 * 30, directory);   // 31 rows: over the limit
            Assert.True(file.IsFileBacked);
            Assert.Single(Directory.GetFiles(directory));
            for (int i = 0; i < Sequences.Length; i++)
                Assertions.BitwiseEqual(memory.Hidden(i), file.Hidden(i), $"sequence {i}");
            file.Dispose();
            Assert.Empty(Directory.GetFiles(directory));
            Assert.Throws<ObjectDisposedException>(() => file.Hidden(0).Length);

            using var fits = HiddenStateStore.Build(model, Sequences, memoryLimitBytes: 4 * 384 * 31, directory);   // exactly at the limit
            Assert.False(fits.IsFileBacked);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
