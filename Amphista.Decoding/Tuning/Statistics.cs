namespace Amphista.Decoding.Tuning;

/// <summary>
/// The one summary every timing in the project reports: the median, which a few slow runs on a shared
/// machine cannot drag the way they drag a mean.
/// </summary>
public static class Statistics
{
    /// <summary>The middle value, or the mean of the two middle values of an even count.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("the median of no values", nameof(values));
        double[] sorted = [.. values.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
