using Amphista.Tensors;

namespace Amphista.Tests.Support;

/// <summary>A failed assertion: a failed test under xunit, a failed check in amphista-gpu-checks.</summary>
public sealed class AssertionFailedException(string message) : Exception(message);

/// <summary>
/// Assertions on tensors and token sequences. They throw <see cref="AssertionFailedException"/> rather than
/// use xunit's Assert, so that the GPU checks these serve run without a test host (amphista-gpu-checks).
/// </summary>
public static class Assertions
{
    /// <summary>Fails with what unless condition holds.</summary>
    public static void That(bool condition, string what)
    {
        if (!condition) throw new AssertionFailedException(what);
    }

    /// <summary>Bit-for-bit equality, reporting the first differing element.</summary>
    public static void BitwiseEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        That(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                throw new AssertionFailedException($"{what}: element {i} is {actual[i]:R}, expected bit-identical {expected[i]:R}");
    }

    /// <summary>|a - e| <= tol * (1 + |e|) everywhere, reporting the worst element.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        That(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) - tol * (1 + Math.Abs(expected[i]));
            if (excess > worstExcess || double.IsNaN(actual[i]) != double.IsNaN(expected[i])) { worst = i; worstExcess = excess; }
        }
        if (worst >= 0)
            throw new AssertionFailedException($"{what}: element {worst} is {actual[worst]:R}, expected {expected[worst]:R} within {tol:G3} (relative to 1 + |expected|)");
    }

    public static void Close(Tensor expected, Tensor actual, double tol, string what)
    {
        That(expected.Rows == actual.Rows && expected.Cols == actual.Cols, $"{what}: shape {actual}, expected {expected}");
        Close(expected.Data, actual.Data, tol, what);
    }

    /// <summary>Exact token equality, reporting the first differing index and both sequences.</summary>
    public static void SameTokens(int[] greedy, int[] speculative, string what)
    {
        int n = Math.Min(greedy.Length, speculative.Length);
        int first = Enumerable.Range(0, n).FirstOrDefault(i => greedy[i] != speculative[i], n);
        That(first == n && greedy.Length == speculative.Length,
            $"speculative output differs from greedy at index {first} (greedy {greedy.Length} tokens " +
            $"[{string.Join(',', greedy)}], speculative {speculative.Length} [{string.Join(',', speculative)}]): {what}");
    }
}
