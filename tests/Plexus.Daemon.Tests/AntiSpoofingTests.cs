using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// Issue 11 through plexusd and the docker client: bridge networks guard their ports against spoofing by default,
/// and com.plexus.network.bridge.anti_spoofing=false turns it off for sandboxes that route or share addresses.
/// The "attacker" is given its extra address from outside (nsenter, all capabilities), as a privileged sandbox could.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class AntiSpoofingTests
{
    [PrivilegedFact]
    public void A_sandbox_sends_only_from_its_own_address_unless_the_network_lets_it()
    {
        using var w = new DaemonWorld();
        w.Start();
        var www = Path.Combine(w.Files, "www");
        Directory.CreateDirectory(www);
        File.WriteAllText(Path.Combine(www, "index.html"), "peer\n");
        Assert.Equal(0, w.Docker("network", "create", "--subnet", "10.82.0.0/24", "guarded").ExitCode);
        var open = w.Docker("network", "create", "--subnet", "10.83.0.0/24", "-o", "com.plexus.network.bridge.anti_spoofing=false", "open");
        Assert.True(open.ExitCode == 0, open.Output);
        Assert.Contains("com.plexus.network.bridge.anti_spoofing", w.Docker("network", "inspect", "open").Output, StringComparison.Ordinal);

        foreach (var (network, prefix) in new[] { ("guarded", "10.82.0"), ("open", "10.83.0") })
        {
            Create(w, new SandboxCreateJson
            {
                Name = $"peer-{network}", Network = network, IPv4Address = $"{prefix}.10",
                Cmd = ["busybox", "httpd", "-f", "-p", "80", "-h", www],
            });
            Create(w, new SandboxCreateJson { Name = $"router-{network}", Network = network, IPv4Address = $"{prefix}.11" });
            var key = w.Docker("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", $"router-{network}").Output.Trim();
            // An address the sandbox was not given: what a router forwarding for others, or a VRRP peer, sends from.
            Assert.Equal(0, Processes.Run("nsenter", [$"--net={key}", "ip", "addr", "add", $"{prefix}.99/24", "dev", "eth0"]).ExitCode);

            string? Curl(string from) =>
                Processes.Run("nsenter", [$"--net={key}", "curl", "-s", "--max-time", "2", "--connect-timeout", "1", "--interface", from, $"http://{prefix}.10/"]) is (0, var body) ? body.Trim() : null;

            Eventually(() => Curl($"{prefix}.11") == "peer", $"{network}: the sandbox's own address does not work");
            if (network == "guarded") Assert.Null(Curl($"{prefix}.99"));
            else Assert.Equal("peer", Curl($"{prefix}.99"));
        }
    }

    private static void Create(DaemonWorld w, SandboxCreateJson request)
    {
        using var r = w.Post("plexus/sandboxes", request, DaemonJson.Default.SandboxCreateJson);
        Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
    }

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
