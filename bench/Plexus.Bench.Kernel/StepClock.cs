using System.Diagnostics;

namespace Plexus.Bench.Kernel;

/// <summary>
/// Timestamps taken inside one attach, one after each step, so a step's cost is the gap to the mark before it.
/// Reading the clock costs tens of nanoseconds, far below any step measured.
/// </summary>
internal sealed class StepClock(int steps)
{
    private readonly long[] _marks = new long[steps + 1];
    private int _count;

    public int Steps => _marks.Length - 1;

    /// <summary>Starts a new attach; returns its start timestamp.</summary>
    public long Start()
    {
        _count = 0;
        return _marks[_count++] = Stopwatch.GetTimestamp();
    }

    public void Mark()
    {
        if (_count >= _marks.Length)
            throw new InvalidOperationException($"more than {Steps} steps were marked");
        _marks[_count++] = Stopwatch.GetTimestamp();
    }

    /// <summary>Microseconds of step <paramref name="step"/>; NaN if the attach stopped before it.</summary>
    public double Microseconds(int step) =>
        step + 1 < _count ? Stopwatch.GetElapsedTime(_marks[step], _marks[step + 1]).TotalMicroseconds : double.NaN;
}
