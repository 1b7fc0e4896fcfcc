using System.Net;
using Plexus.Engine.Controller;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Tests.Support;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>
/// The embedded resolver as programs inside sandboxes use it: glibc's getent (what most programs see),
/// busybox nslookup (asks the DNS server, skipping the hosts file), over real sockets at 127.0.0.11.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class DnsTests
{
    private static void Network(NetworkController c, string name, string subnet, bool isInternal = false) =>
        c.CreateNetwork(new NetworkCreateRequest { Name = name, Internal = isInternal, IpamConfigs = [new IpamRequest { Subnet = IPNetwork.Parse(subnet) }] });

    private static void Sandbox(NetworkController c, string name, string network, string? ip = null, string[]? aliases = null, IReadOnlyList<SandboxLink>? links = null)
    {
        c.CreateSandbox(new SandboxCreateRequest { Name = name, Links = links ?? [] });
        c.Connect(network, name, new EndpointCreateRequest { IPv4Address = ip is null ? null : IPAddress.Parse(ip), Aliases = aliases ?? [] });
    }

    /// <summary>Addresses busybox nslookup got from the resolver (the DNS answer, not the hosts file).</summary>
    private static string NsLookup(EngineWorld w, string sandbox, string name) =>
        w.Exec(sandbox, "busybox", "nslookup", name, "127.0.0.11").Output;

    [PrivilegedFact]
    public void Sandboxes_on_a_network_find_each_other_by_name_and_alias_and_their_resolv_conf_points_at_the_resolver()
    {
        using var w = new EngineWorld();
        var c = w.Controller;
        Network(c, "app", "10.61.0.0/24");
        Sandbox(c, "db", "app", "10.61.0.10", ["database", "Primary.DB"]);
        Sandbox(c, "web", "app", "10.61.0.20");

        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "db"));
        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "database"));
        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "PRIMARY.db")); // names compare without case
        Assert.Equal("10.61.0.10", GetentAddress(w, "web", "db.app"));     // name.network
        Assert.Equal("10.61.0.20", GetentAddress(w, "web", "web"));        // itself
        Assert.Contains("10.61.0.10", NsLookup(w, "web", "db"), StringComparison.Ordinal);
        Assert.Contains("db.app", NsLookup(w, "web", "10.61.0.10"), StringComparison.Ordinal); // PTR

        var resolv = w.Exec("web", "cat", "/etc/resolv.conf").Output;
        Assert.Contains("nameserver 127.0.0.11", resolv, StringComparison.Ordinal);
        Assert.Contains("options ndots:0", resolv, StringComparison.Ordinal);
        Assert.DoesNotContain("nameserver 192.0.2.53", resolv, StringComparison.Ordinal);

        var unknown = w.Exec("web", "getent", "hosts", "nobody");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("NXDOMAIN", NsLookup(w, "web", "nobody"), StringComparison.Ordinal);
    }

    private static string? GetentAddress(EngineWorld w, string sandbox, string name)
    {
        var (code, output) = w.Exec(sandbox, "getent", "hosts", name);
        return code == 0 ? output.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)[0] : null;
    }
}
