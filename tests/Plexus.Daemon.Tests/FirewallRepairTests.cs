using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// Issue 11: the stock /etc/nftables.conf starts with `nft flush ruleset`. Before, plexusd never noticed: published
/// ports stopped, icc=false stopped isolating, until a restart. Now its rules come back by themselves, and the
/// daemon logs it; packets prove it, and later operations work.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class FirewallRepairTests
{
    [PrivilegedTheory]
    [InlineData("nftables")]
    [InlineData("iptables")]
    public void A_flushed_firewall_comes_back_without_a_restart(string backend)
    {
        using var w = new DaemonWorld();
        w.Start("--firewall-backend", backend);
        var www = Path.Combine(w.Files, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "server\n");
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.81.0.0/24", "-o", "com.docker.network.bridge.enable_icc=false", "web").ExitCode);
        Create(w, new SandboxCreateJson
        {
            Name = "server", Network = "web", IPv4Address = "10.81.0.10", Publish = ["8080:80"], Expose = ["80"],
            Cmd = ["busybox", "httpd", "-f", "-p", "80", "-h", www],
        });
        Create(w, new SandboxCreateJson { Name = "client", Network = "web", Links = ["server:srv"] });
        Create(w, new SandboxCreateJson { Name = "stranger", Network = "web" });

        bool Works() =>
            Curl(w, null, "http://127.0.0.1:8080/") == "server"       // published
            && Curl(w, "client", "http://10.81.0.10/") == "server"   // link
            && Curl(w, "stranger", "http://10.81.0.10/") is null;    // icc=false
        Eventually(Works, "the reference scenario does not work even before the flush");

        // One command each, so a repair in between cannot make the flush itself fail: nft flush ruleset, or iptables
        // -F in every table (the chains stay, empty, and the jumps into them go).
        if (backend == "nftables") Assert.Equal(0, w.Net.Exec("host", "nft", "flush", "ruleset").ExitCode);
        else Assert.Equal(0, w.Net.Exec("host", "sh", "-c", "iptables -t filter -F; iptables -t nat -F; iptables -t raw -F").ExitCode);

        Eventually(Works, "the rules did not come back after the flush");
        Eventually(() => w.Log.Contains("firewall rules restored", StringComparison.Ordinal), $"the daemon did not log the repair: {w.Log}");

        // Operations after the flush work and do what they say.
        Create(w, new SandboxCreateJson
        {
            Name = "second", Network = "web", IPv4Address = "10.81.0.20", Publish = ["8081:80"],
            Cmd = ["busybox", "httpd", "-f", "-p", "80", "-h", www],
        });
        Eventually(() => Curl(w, null, "http://127.0.0.1:8081/") == "server", "a port published after the repair does not answer");
        Assert.Null(Curl(w, "stranger", "http://10.81.0.20/"));
    }

    private static void Create(DaemonWorld w, SandboxCreateJson request)
    {
        using var r = w.Post("plexus/sandboxes", request, DaemonJson.Default.SandboxCreateJson);
        Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
    }

    /// <summary>curl from a sandbox (or the daemon's host namespace when null); the body, or null if nothing answered.</summary>
    private static string? Curl(DaemonWorld w, string? sandbox, string url)
    {
        string[] curl = ["curl", "-s", "--max-time", "2", "--connect-timeout", "1", url];
        if (sandbox is null)
        {
            var (code, output) = w.Net.Exec("host", curl);
            return code == 0 ? output.Trim() : null;
        }
        var result = w.Exec(sandbox, curl);
        return result.ExitCode == 0 ? result.Output.Trim() : null;
    }

    /// <summary>Generous: the suite's machine may be busy. The repair itself takes milliseconds.</summary>
    private static void Eventually(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            Thread.Sleep(100);
        }
    }
}
