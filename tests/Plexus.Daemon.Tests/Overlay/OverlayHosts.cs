using System.Diagnostics;
using System.Net;
using Plexus.Api;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Daemon.Tests.Overlay;

/// <summary>
/// N "hosts" for overlay tests, all inside the test's private namespace: an underlay namespace with a bridge (the
/// hosts' shared segment, 10.77.0.0/24) and etcd listening on 10.77.0.254 there; each host a <see cref="DaemonWorld"/>
/// (its own network namespace, plexusd, socket, data root and exec root) joined to the bridge by a veth pair, with
/// address 10.77.0.N advertised as its VTEP. One set is shared by a scenario family (a class fixture).
/// </summary>
public sealed class OverlayHosts : IDisposable
{
    public const string EtcdAddress = "10.77.0.254";
    private readonly List<DaemonWorld> _hosts = [];
    private readonly HashSet<int> _outside = [];

    public OverlayHosts() : this(3)
    {
    }

    /// <param name="etcdMembers">1: one etcd (<see cref="Etcd"/>); more: a cluster of that many on the same address, each
    /// on its own port (<see cref="EtcdMembers"/>), every host given all of them.</param>
    internal OverlayHosts(int count, int etcdMembers = 1)
    {
        Underlay = new TestNetwork();
        try
        {
            var u = Underlay.Host;
            u.CreateLink(new BridgeSpec("ul0") { Up = true });
            int bridge = u.GetLink("ul0").Index;
            u.AddAddress(bridge, IPPrefix.Parse(EtcdAddress + "/24"));
            EtcdMembers = etcdMembers == 1 ? [EtcdProcess.StartOn(Underlay.HostNs, EtcdAddress)] : EtcdProcess.StartCluster(etcdMembers, Underlay.HostNs, EtcdAddress);
            Etcd = EtcdMembers[0];
            for (int i = 1; i <= count; i++)
            {
                var w = new DaemonWorld();
                _hosts.Add(w);
                w.Net.Host.CreateLink(new VethSpec("underlay", $"h{i}") { PeerNamespace = Underlay.HostNs, Up = true });
                int peer = u.GetLink($"h{i}").Index;
                u.SetMaster(peer, bridge);
                u.SetUp(peer);
                w.Net.Host.AddAddress(w.Net.Host.GetLink("underlay").Index, IPPrefix.Parse($"{Vtep(i)}/24"));
            }
            for (int i = 1; i <= count; i++) Start(i);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNetwork Underlay { get; }
    public EtcdProcess Etcd { get; } = null!;
    public IReadOnlyList<EtcdProcess> EtcdMembers { get; } = [];

    /// <summary>Host <paramref name="n"/>, counted from 1.</summary>
    public DaemonWorld this[int n] => _hosts[n - 1];

    public int Count => _hosts.Count;

    public static string Vtep(int n) => $"10.77.0.{n}";

    /// <summary>Starts (or restarts) host <paramref name="n"/>'s plexusd in the cluster.</summary>
    public void Start(int n) =>
        this[n].Start("--cluster-store", $"etcd://{string.Join(',', EtcdMembers.Select(m => m.Endpoint))}", "--cluster-advertise", Vtep(n));

    /// <summary>
    /// The keys under <paramref name="prefix"/> (a store key, "/ipam/addresses/ID/", below Plexus's /plexus) and their
    /// values, read from etcd itself (its JSON gateway, by curl in the underlay namespace where etcd listens), from
    /// the first member that answers.
    /// </summary>
    public IReadOnlyDictionary<string, string> EtcdKeys(string prefix)
    {
        var key = System.Text.Encoding.UTF8.GetBytes("/plexus" + prefix);
        var end = (byte[])key.Clone();
        end[^1]++;
        var body = $"{{\"key\":\"{Convert.ToBase64String(key)}\",\"range_end\":\"{Convert.ToBase64String(end)}\"}}";
        foreach (var member in EtcdMembers.Where(m => m.IsRunning))
        {
            var (code, output) = Underlay.Exec("host", "curl", "-s", "--max-time", "5", "-X", "POST", "-d", body, $"http://{member.Endpoint}/v3/kv/range");
            if (code != 0) continue;
            using var reply = System.Text.Json.JsonDocument.Parse(output);
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            if (reply.RootElement.TryGetProperty("kvs", out var kvs))
                foreach (var kv in kvs.EnumerateArray())
                    keys[System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(kv.GetProperty("key").GetString()!))["/plexus".Length..]] =
                        kv.TryGetProperty("value", out var v) ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(v.GetString()!)) : "";
            return keys;
        }
        throw new InvalidOperationException($"no etcd member answered a range of {prefix}");
    }

    /// <summary>
    /// Host <paramref name="n"/>'s "outside world" (made on first use): a namespace joined to that host only by a veth,
    /// 10.99.N.1/24 on the host's side and the returned address, 10.99.N.2/24, on its own, with no other route. It can
    /// answer only the host's own address there, so an answer to a sandbox proves the sandbox's traffic left by host N,
    /// masqueraded. Removed with the underlay (and the host's namespace).
    /// </summary>
    public string Outside(int n)
    {
        lock (_outside)
        {
            if (_outside.Add(n))
            {
                var (ns, rt) = Underlay.Add($"out{n}");
                var h = this[n].Net.Host;
                h.CreateLink(new VethSpec("outside", "world") { PeerNamespace = ns, Up = true });
                h.AddAddress(h.GetLink("outside").Index, IPPrefix.Parse($"10.99.{n}.1/24"));
                int world = rt.GetLink("world").Index;
                rt.AddAddress(world, IPPrefix.Parse($"10.99.{n}.2/24"));
                rt.SetUp(world);
            }
            return $"10.99.{n}.2";
        }
    }

    /// <summary>`docker network inspect -f FORMAT NAME` on host <paramref name="n"/>, trimmed.</summary>
    public string Inspect(int n, string network, string format)
    {
        var (code, output) = this[n].Docker("network", "inspect", "-f", format, network);
        Assert.True(code == 0, output);
        return output.Trim();
    }

    /// <summary>Creates a sandbox on host <paramref name="n"/> joined to <paramref name="network"/> and returns its address there.</summary>
    public string Sandbox(int n, string name, string network, string? ip = null)
    {
        using var r = this[n].Post("plexus/sandboxes", new SandboxCreateJson { Name = name, Network = network, IPv4Address = ip }, DaemonJson.Default.SandboxCreateJson);
        Assert.True(r.IsSuccessStatusCode, $"host {n}: {r.Content.ReadAsStringAsync().Result}");
        var (code, output) = this[n].Docker("inspect", "-f", $"{{{{.NetworkSettings.Networks.{network}.IPAddress}}}}", name);
        Assert.True(code == 0, output);
        return output.Trim();
    }

    public void RemoveSandbox(int n, string name)
    {
        using var r = this[n].Http.DeleteAsync($"plexus/sandboxes/{name}?force=true").Result;
        Assert.True(r.IsSuccessStatusCode, $"host {n}: {r.Content.ReadAsStringAsync().Result}");
    }

    /// <summary>Whether sandbox <paramref name="name"/> on host <paramref name="n"/> gets an answer from <paramref name="ip"/>.</summary>
    public bool Pings(int n, string name, string ip) => this[n].Exec(name, "busybox", "ping", "-c", "1", "-W", "2", ip).ExitCode == 0;

    /// <summary>The remote MACs (with a VTEP) in the FDB of network <paramref name="networkId"/>'s VXLAN device on host <paramref name="n"/>; empty without the device.</summary>
    public IReadOnlyList<(MacAddress Mac, IPAddress Vtep)> Fdb(int n, string networkId)
    {
        var rt = this[n].Net.Host;
        if (rt.FindLink(Engine.Drivers.Overlay.OverlayDriver.VxlanName(networkId)) is not { } vx) return [];
        return [.. rt.ListNeighbours(NeighbourFamily.Bridge, vx.Index).Where(e => e.Destination is not null && e.Mac is not null).Select(e => (e.Mac!.Value, e.Destination!))];
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (generous: the machine is loaded); fails with <paramref name="what"/>.</summary>
    public static void Eventually(Func<bool> condition, string what, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (condition()) return;
            Thread.Sleep(200);
        }
        Assert.Fail($"not within {seconds} s: {what}");
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            try
            {
                host.Dispose();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or Kernel.KernelException)
            {
                // the others are still disposed
            }
        }
        foreach (var member in EtcdMembers) member.Dispose();
        Underlay.Dispose();
    }
}
