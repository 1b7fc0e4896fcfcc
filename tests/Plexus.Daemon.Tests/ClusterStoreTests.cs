using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// plexusd with dockerd's --cluster-store / --cluster-advertise: it registers itself in etcd (running in the
/// daemon's own namespace) and shows the cluster in /info; without them nothing of etcd is loaded; wrong
/// combinations are refused before anything starts.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class ClusterStoreTests
{
    [PrivilegedFact]
    public void Plexusd_with_a_cluster_store_registers_itself_and_shows_the_cluster_in_info()
    {
        using var w = new DaemonWorld();
        using var etcd = EtcdProcess.Start(w.Net.HostNs);
        w.Start("--cluster-store", $"etcd://{etcd.Endpoint}", "--cluster-advertise", "10.1.2.3:2376");

        var info = w.Get("info", DaemonJson.Default.InfoJson);
        Assert.Equal($"etcd://{etcd.Endpoint}", info.ClusterStore);
        Assert.Equal("10.1.2.3:2376", info.ClusterAdvertise);

        // Its record, as another host (or etcdctl) reads it: /plexus/hosts/<daemon id>.
        string? record = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && (record = ReadKey(w, etcd, $"/plexus/hosts/{info.ID}")) is null) Thread.Sleep(200);
        Assert.NotNull(record);
        using var host = JsonDocument.Parse(record);
        Assert.Equal(info.ID, host.RootElement.GetProperty("id").GetString());
        Assert.Equal("10.1.2.3:2376", host.RootElement.GetProperty("advertise").GetString());
        Assert.Equal("10.1.2.3", host.RootElement.GetProperty("vtep").GetString());
        var maps = File.ReadAllText($"/proc/{w.DaemonPid}/maps");
        Assert.Contains("Plexus.Cluster.dll", maps, StringComparison.Ordinal);
        // etcd is spoken to over HTTP/1.1 (its JSON gateway) by Plexus's own client: no HttpClient and its HTTP/2 stack.
        Assert.DoesNotContain("System.Net.Http.dll", maps, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Plexusd_without_a_cluster_store_loads_nothing_of_etcd()
    {
        using var w = new DaemonWorld();
        w.Start();

        var info = w.Get("info", DaemonJson.Default.InfoJson);
        Assert.Null(info.ClusterStore);
        Assert.Null(info.ClusterAdvertise);
        var maps = File.ReadAllText($"/proc/{w.DaemonPid}/maps");
        Assert.DoesNotContain("Plexus.Cluster.dll", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("Plexus.Client.dll", maps, StringComparison.Ordinal); // the etcd client's HTTP/1.1
        Assert.DoesNotContain("System.Net.Http.dll", maps, StringComparison.Ordinal);
    }

    [PrivilegedFact]
    public void Wrong_cluster_settings_are_refused_with_a_clear_error()
    {
        using var w = new DaemonWorld();
        (string[] Args, string Error)[] cases =
        [
            (["--cluster-store", "etcd://127.0.0.1:2379"], "--cluster-advertise is required with --cluster-store"),
            (["--cluster-advertise", "10.0.0.1"], "--cluster-advertise needs --cluster-store"),
            (["--cluster-store", "consul://127.0.0.1:8500", "--cluster-advertise", "10.0.0.1"], "plexusd keeps its cluster state in etcd, not consul"),
            (["--cluster-store", "etcd://127.0.0.1:2379", "--cluster-advertise", "eth0:2376"], "invalid --cluster-advertise 'eth0:2376'"),
            (["--cluster-store", "etcd://127.0.0.1:2379", "--cluster-advertise", "10.0.0.1", "--cluster-store-opt", "kv.cacertfile=/nonexistent/ca.pem"], "kv.cacertfile=/nonexistent/ca.pem: no such file"),
            (["--cluster-store", "etcd://127.0.0.1:2379", "--cluster-advertise", "10.0.0.1", "--cluster-store-opt", "kv.path=/x"], "invalid --cluster-store-opt 'kv.path'"),
        ];
        var empty = Path.Combine(w.Root, "empty.json");
        File.WriteAllText(empty, "{}");
        foreach (var (args, error) in cases)
        {
            var run = Processes.Run("dotnet", [DaemonWorld.DaemonDll, "-H", "unix://" + w.Socket, "--data-root", w.DataRoot, "--exec-root", w.ExecRoot, "--config-file", empty, .. args]);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains(error, run.Output, StringComparison.Ordinal);
        }

        // The same from the config file.
        var config = Path.Combine(w.Root, "cluster.json");
        File.WriteAllText(config, "{ \"cluster-store\": \"etcd://127.0.0.1:2379\" }");
        var fromFile = Processes.Run("dotnet", [DaemonWorld.DaemonDll, "-H", "unix://" + w.Socket, "--config-file", config]);
        Assert.NotEqual(0, fromFile.ExitCode);
        Assert.Contains("--cluster-advertise is required with --cluster-store", fromFile.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(w.Socket)); // refused before listening
    }

    /// <summary>A key's value through etcd's JSON gateway, with curl inside the daemon's namespace (where etcd listens).</summary>
    private static string? ReadKey(DaemonWorld w, EtcdProcess etcd, string key)
    {
        var body = $"{{\"key\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(key))}\"}}";
        var psi = new ProcessStartInfo("curl", ["-s", "-X", "POST", $"http://{etcd.Endpoint}/v3/kv/range", "-d", body]) { RedirectStandardOutput = true };
        using var curl = w.Net.HostNs.StartProcess(psi);
        var output = curl.StandardOutput.ReadToEnd();
        curl.WaitForExit();
        using var response = JsonDocument.Parse(output);
        return response.RootElement.TryGetProperty("kvs", out var kvs) && kvs.GetArrayLength() > 0
            ? Encoding.UTF8.GetString(Convert.FromBase64String(kvs[0].GetProperty("value").GetString()!))
            : null;
    }
}
