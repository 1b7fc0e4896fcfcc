using System.Diagnostics;

namespace Plexus.Cluster.Tests;

/// <summary>Waits for what happens in the background (leases expiring, watches catching up, etcd electing a leader), with generous limits.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> when it never does.</summary>
    public static void True(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Patience) Assert.Fail($"not within {Patience.TotalSeconds} s: {what}");
            Thread.Sleep(100);
        }
    }

    /// <summary>Retries <paramref name="operation"/> while it throws <typeparamref name="TError"/>, and returns its first result.</summary>
    public static T Succeeds<T, TError>(Func<T> operation) where TError : Exception
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return operation();
            }
            catch (TError) when (clock.Elapsed < Patience)
            {
                Thread.Sleep(200);
            }
        }
    }
}
