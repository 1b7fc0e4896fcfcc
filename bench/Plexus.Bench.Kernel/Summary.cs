namespace Plexus.Bench.Kernel;

/// <summary>Order statistics of a set of timings (microseconds). Percentiles interpolate linearly between ranks.</summary>
internal readonly record struct Summary(int Count, double P50, double P95, double P99, double Mean, double Min, double Max)
{
    public static Summary Of(IEnumerable<double> samples)
    {
        var sorted = samples.Where(s => !double.IsNaN(s)).Order().ToArray();
        if (sorted.Length == 0) return new Summary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        return new Summary(sorted.Length, Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99),
            sorted.Average(), sorted[0], sorted[^1]);
    }

    public static double Median(IEnumerable<double> samples) => Of(samples).P50;

    /// <summary>The value at <paramref name="percent"/> of a sorted array, interpolated (numpy's default, "linear").</summary>
    public static double Percentile(double[] sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 1) return sorted[0];
        double rank = percent / 100 * (sorted.Length - 1);
        int lower = (int)Math.Floor(rank);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((rank - lower) * (sorted[upper] - sorted[lower]));
    }
}
