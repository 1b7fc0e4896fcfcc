using System.Diagnostics;
using System.Net;
using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;

// The kernel layer's self-check: builds the hand-made container network of the reference document
// (a bridge with a gateway address, two "containers" each with eth0, an address and a default route)
// through Plexus's netlink and namespace code, proves it with real packets, and removes it again.
// It refuses to run in the machine's own network namespace: run it through scripts/quickstart.sh.

if (!args.Contains("--allow-host-namespace") && SafetyCheck.InHostNamespace())
{
    Console.Error.WriteLine("plexus-selfcheck: refusing to run in the machine's own network namespace; run it through scripts/quickstart.sh (unshare --net --mount).");
    return 2;
}

var root = Environment.GetEnvironmentVariable("PLEXUS_NETNS_DIR") ?? NamespaceDirectory.DefaultRoot;
var namespaces = new NamespaceDirectory(root);
var gateway = IPPrefix.Parse("10.88.0.1/24");
var failures = 0;
var created = new List<string>();
using var host = RtNetlink.Open();

void Step(string what, Action action)
{
    var sw = Stopwatch.StartNew();
    try
    {
        action();
        Console.WriteLine($"  ok    {what} ({sw.Elapsed.TotalMilliseconds:F2} ms)");
    }
    catch (Exception e) when (e is KernelException or ArgumentException or InvalidOperationException)
    {
        failures++;
        Console.WriteLine($"  FAIL  {what}: {e.Message}");
    }
}

bool Ping(NetworkNamespace from, IPAddress to)
{
    var psi = new ProcessStartInfo("busybox", ["ping", "-c", "1", "-W", "2", to.ToString()])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    using var p = from.StartProcess(psi);
    p.WaitForExit();
    return p.ExitCode == 0;
}

Console.WriteLine("Plexus kernel self-check");
Console.WriteLine($"  kernel {Environment.OSVersion.Version}, namespaces under {root}");
int bridgeIndex = 0;
Step("create bridge plx-check with gateway 10.88.0.1/24", () =>
{
    host.CreateLink(new BridgeSpec("plx-check") { Up = true });
    bridgeIndex = host.GetLink("plx-check").Index;
    host.AddAddress(bridgeIndex, gateway);
});

var sandboxes = new List<(NetworkNamespace Ns, IPAddress Address)>();
for (int i = 1; i <= 2; i++)
{
    var name = $"check-c{i}";
    var address = IPAddress.Parse($"10.88.0.{10 + i}");
    Step($"attach sandbox {name}: veth into its namespace as eth0, {address}/24, default route", () =>
    {
        var ns = namespaces.Create(name);
        created.Add(name);
        host.CreateLink(new VethSpec($"vethc{i}", "eth0")
        {
            MasterIndex = bridgeIndex,
            Up = true,
            PeerNamespace = ns,
            PeerMac = MacAddress.FromIPv4(address),
        });
        using var inside = ns.OpenRtNetlink();
        inside.SetUp(inside.GetLink("lo").Index);
        int eth0 = inside.GetLink("eth0").Index;
        inside.SetUp(eth0);
        inside.AddAddress(eth0, new IPPrefix(address, 24));
        inside.AddRoute(Route.DefaultVia(gateway.Address, eth0));
        sandboxes.Add((ns, address));
    });
}

if (sandboxes.Count == 2)
{
    Step("check-c1 reaches check-c2 (ping)", () =>
    {
        if (!Ping(sandboxes[0].Ns, sandboxes[1].Address)) throw new InvalidOperationException("no reply");
    });
    Step("check-c2 reaches check-c1 (ping)", () =>
    {
        if (!Ping(sandboxes[1].Ns, sandboxes[0].Address)) throw new InvalidOperationException("no reply");
    });
    Step("check-c1 reaches its gateway 10.88.0.1 (ping)", () =>
    {
        if (!Ping(sandboxes[0].Ns, gateway.Address)) throw new InvalidOperationException("no reply");
    });
}

Step("remove sandboxes and bridge", () =>
{
    foreach (var (ns, _) in sandboxes) ns.Dispose();
    foreach (var name in created) namespaces.Delete(name);
    if (host.FindLink("plx-check") is not null) host.DeleteLink("plx-check");
    if (!namespaces.List().Any()) namespaces.Release();
});

Console.WriteLine(failures == 0 ? "self-check passed" : $"self-check failed: {failures} step(s)");
return failures == 0 ? 0 : 1;

internal static class SafetyCheck
{
    /// <summary>
    /// The machine's own namespace has a default route (it reaches the package registries); a private
    /// namespace made with `unshare --net` has none. Refuse anything that looks like the former.
    /// </summary>
    public static bool InHostNamespace()
    {
        using var rt = RtNetlink.Open();
        return rt.ListRoutes(ipVersion: null, table: null).Exists(r => r.IsDefault && r.Type == RouteType.Unicast);
    }
}
