using Plexus.Cluster.Etcd;
using Plexus.Testing;

namespace Plexus.Cluster.Tests;

/// <summary>One etcd member for a test class (started on first use, inside the test's private namespace), and stores on it.</summary>
public sealed class EtcdFixture : IDisposable
{
    private readonly Lazy<EtcdProcess> _etcd = new(() => EtcdProcess.Start());

    public EtcdProcess Etcd => _etcd.Value;

    /// <summary>A new client of this etcd, keys under <paramref name="prefix"/>.</summary>
    public EtcdGlobalStore NewStore(string prefix = "/plexus") => new(Options(prefix));

    public EtcdOptions Options(string prefix = "/plexus") => Tuned(new EtcdOptions { Endpoints = [Etcd.ClientUrl], Prefix = prefix });

    /// <summary>Time limits for tests: generous enough for a loaded machine, short enough that an outage shows quickly.</summary>
    public static EtcdOptions Tuned(EtcdOptions options) => options with
    {
        RequestTimeout = TimeSpan.FromSeconds(5),
        DialTimeout = TimeSpan.FromSeconds(2),
        RetryInterval = TimeSpan.FromMilliseconds(200),
    };

    public void Dispose()
    {
        if (_etcd.IsValueCreated) _etcd.Value.Dispose();
    }
}
