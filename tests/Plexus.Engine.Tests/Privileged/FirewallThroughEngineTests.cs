using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Ports;
using Plexus.Engine.Tests.Support;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>The bridge driver's connectivity rules as users get them through the controller, per backend.</summary>
[Trait("Category", "Privileged")]
public sealed class FirewallThroughEngineTests
{
    private static NetworkCreateRequest Bridge(string name, string subnet, bool icc = true) => new()
    {
        Name = name,
        Options = icc ? new Dictionary<string, string>() : new Dictionary<string, string> { ["com.docker.network.bridge.enable_icc"] = "false" },
        IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }],
    };

    /// <summary>busybox httpd in the foreground inside the sandbox, answering "hello-from-NAME"; killed by the caller.</summary>
    private static System.Diagnostics.Process Serve(EngineWorld w, string sandbox, int port)
    {
        var dir = Path.Combine(w.DataRoot, "www-" + sandbox);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "index.html"), $"hello-from-{sandbox}\n");
        var p = w.Controller.StartProcess(sandbox, ["busybox", "httpd", "-f", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", dir]);
        for (int i = 0; i < 100 && !w.Exec(sandbox, "curl", "-s", "--max-time", "1", $"http://127.0.0.1:{port}/").Output.Contains("hello", StringComparison.Ordinal); i++)
            Thread.Sleep(20);
        return p;
    }

    private static string Curl(EngineWorld w, string sandboxOrHost, string url) =>
        sandboxOrHost == "host"
            ? Processes.Run("nsenter", [$"--net={w.Net.PathOf("host")}", "curl", "-s", "--max-time", "3", url]).Output
            : w.Exec(sandboxOrHost, "curl", "-s", "--max-time", "3", url).Output;

    [PrivilegedTheory]
    [InlineData("nftables")]
    [InlineData("iptables")]
    public void Published_ports_answer_from_outside_the_host_and_the_container_itself_and_icc_off_isolates(string backend)
    {
        using var w = new EngineWorld(backend);
        var c = w.Controller;
        // The outside world: a namespace joined to the host by a veth pair.
        var (_, outside) = w.Net.Add("outside");
        var (outsideNs, _) = (w.Net.Directory.Open("outside"), 0);
        using (outsideNs)
            w.Net.Host.CreateLink(new VethSpec("uplink", "wan") { Up = true, PeerNamespace = outsideNs });
        w.Net.Host.AddAddress(w.Net.Host.GetLink("uplink").Index, IPPrefix.Parse("198.51.100.1/24"));
        int wan = outside.GetLink("wan").Index;
        outside.SetUp(wan);
        outside.AddAddress(wan, IPPrefix.Parse("198.51.100.2/24"));

        c.CreateNetwork(Bridge("web", "172.26.0.0/24"));
        c.CreateSandbox(new SandboxCreateRequest { Name = "srv" });
        c.Connect("web", "srv", new EndpointCreateRequest { PublishedPorts = [.. PortSpec.Parse("8080:80").Expand()] });
        using var srv = Serve(w, "srv", 80);
        Assert.Contains("hello-from-srv", Curl(w, "srv", "http://127.0.0.1/"), StringComparison.Ordinal);
        Assert.Contains("hello-from-srv", Curl(w, "host", "http://172.26.0.2/"), StringComparison.Ordinal);

        Assert.Contains("hello-from-srv", Processes.Run("nsenter", [$"--net={w.Net.PathOf("outside")}", "curl", "-s", "--max-time", "3", "http://198.51.100.1:8080/"]).Output, StringComparison.Ordinal);
        Assert.Contains("hello-from-srv", Curl(w, "host", "http://198.51.100.1:8080/"), StringComparison.Ordinal);
        Assert.Contains("hello-from-srv", Curl(w, "host", "http://127.0.0.1:8080/"), StringComparison.Ordinal);
        Assert.Contains("hello-from-srv", Curl(w, "srv", "http://198.51.100.1:8080/"), StringComparison.Ordinal); // hairpin
        var taken = Assert.Throws<Model.PlexusException>(() =>
        {
            c.CreateSandbox(new SandboxCreateRequest { Name = "dup" });
            c.Connect("web", "dup", new EndpointCreateRequest { PublishedPorts = [.. PortSpec.Parse("8080:81").Expand()] });
        });
        Assert.Contains("host port 8080/tcp is already published by srv on network web", taken.Message, StringComparison.Ordinal);

        // icc off: two sandboxes on one bridge cannot talk; the gateway and the world still work.
        c.CreateNetwork(Bridge("quiet", "172.27.0.0/24", icc: false));
        c.CreateSandbox(new SandboxCreateRequest { Name = "q1" });
        c.CreateSandbox(new SandboxCreateRequest { Name = "q2" });
        var q1 = c.Connect("quiet", "q1", new EndpointCreateRequest { ExposedPorts = ["80/tcp"] });
        c.Connect("quiet", "q2");
        using var q1Server = Serve(w, "q1", 80);
        using var q1Other = Serve(w, "q1", 81);
        Assert.DoesNotContain("hello-from-q1", Curl(w, "q2", $"http://{q1.IPv4!.Value.Address}/"), StringComparison.Ordinal);
        // A link re-opens exactly the target's exposed port (80), not the other one (81).
        c.CreateSandbox(new SandboxCreateRequest { Name = "linker", Links = [new Model.SandboxLink("q1", "server")] });
        c.Connect("quiet", "linker");
        Assert.Contains("hello-from-q1", Curl(w, "linker", $"http://{q1.IPv4!.Value.Address}/"), StringComparison.Ordinal);
        Assert.DoesNotContain("hello-from-q1", Curl(w, "linker", $"http://{q1.IPv4!.Value.Address}:81/"), StringComparison.Ordinal);
        Assert.DoesNotContain("hello-from-q1", Curl(w, "q2", $"http://{q1.IPv4!.Value.Address}/"), StringComparison.Ordinal);
        // Isolation: a sandbox on another bridge cannot reach q1 either.
        Assert.DoesNotContain("hello-from-q1", Curl(w, "srv", $"http://{q1.IPv4!.Value.Address}/"), StringComparison.Ordinal);

        // After a restart, the rules are re-applied from the store and the port still answers.
        w.Restart();
        Assert.Contains("hello-from-srv", Processes.Run("nsenter", [$"--net={w.Net.PathOf("outside")}", "curl", "-s", "--max-time", "3", "http://198.51.100.1:8080/"]).Output, StringComparison.Ordinal);

        // The link survives the restart (re-applied from the store).
        Assert.Contains("hello-from-q1", Curl(w, "linker", $"http://{q1.IPv4!.Value.Address}/"), StringComparison.Ordinal);
        srv.Kill();
        q1Server.Kill();
        q1Other.Kill();
        // Removing everything leaves no Plexus rule.
        foreach (var s in w.Controller.Sandboxes.ToList()) w.Controller.DeleteSandbox(s.Id);
        foreach (var n in w.Controller.Networks.ToList()) w.Controller.DeleteNetwork(n.Id);
        var rules = backend == "nftables"
            ? Processes.Run("nsenter", [$"--net={w.Net.PathOf("host")}", "nft", "list", "ruleset"]).Output
            : Processes.Run("nsenter", [$"--net={w.Net.PathOf("host")}", "iptables-save"]).Output;
        Assert.DoesNotContain("net=", rules, StringComparison.Ordinal);
    }
}
