using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Plexus.Engine.Drivers.Bridge.Firewall;
using Plexus.Kernel.Firewall;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged.Firewall;

/// <summary>
/// A host with a firewall, built from plain namespaces: the test's "host" namespace (bridges live there, the
/// firewall under test manages its rules), sandboxes on bridges, and an "outside" namespace joined to the
/// host by a veth pair (host 10.0.0.1 / fd00:e::1, outside 10.0.0.2 / fd00:e::2). The outside has no route
/// to any container subnet: a reply reaches it only if the host translated the addresses.
/// Every nft, iptables, curl and server runs inside these namespaces; nothing touches the test's own.
/// </summary>
internal sealed class FirewallWorld : IDisposable
{
    public const string HostOutside = "10.0.0.1";
    public const string Outside = "10.0.0.2";
    public const string HostOutside6 = "fd00:e::1";
    public const string Outside6 = "fd00:e::2";

    private readonly List<Process> _servers = [];
    private readonly List<IDisposable> _resources = [];
    private readonly string _www;
    private int _sandboxes;

    public FirewallWorld(string backend)
    {
        Net = new TestNetwork();
        _www = Path.Combine(Path.GetTempPath(), "plexus-fw-" + Net.Id);
        Directory.CreateDirectory(_www);
        Host.SetUp(Host.GetLink("lo").Index);
        Net.HostNs.SetSysctl(Sysctl.IPv4Forwarding, "1");
        Net.HostNs.SetSysctl(Sysctl.IPv6Forwarding, "1");

        var (outsideNs, outside) = Net.Add("outside");
        outside.SetUp(outside.GetLink("lo").Index);
        Host.CreateLink(new VethSpec("ext0", "eth0") { Up = true, PeerNamespace = outsideNs });
        int ext = Host.GetLink("ext0").Index;
        Host.AddAddress(ext, IPPrefix.Parse(HostOutside + "/24"));
        Host.AddAddress(ext, IPPrefix.Parse(HostOutside6 + "/64"), AddressFlags.NoDad);
        int eth0 = outside.GetLink("eth0").Index;
        outside.SetUp(eth0);
        outside.AddAddress(eth0, IPPrefix.Parse(Outside + "/24"));
        outside.AddAddress(eth0, IPPrefix.Parse(Outside6 + "/64"), AddressFlags.NoDad);

        Backend = backend;
        Firewall = backend == IptablesLegacy
            ? new Plexus.Kernel.Firewall.Iptables.IptablesFirewall<FirewallState, FirewallChange>(Net.HostNs, BridgeFirewallPolicy.Instance, new Plexus.Kernel.Firewall.Iptables.IptablesOptions
            {
                Restore = "iptables-legacy-restore", Restore6 = "ip6tables-legacy-restore", Save = "iptables-legacy-save", Save6 = "ip6tables-legacy-save",
            })
            : BridgeFirewallPolicy.Create(backend, Net.HostNs);
    }

    /// <summary>The iptables backend on iptables-legacy's tools (x_tables, no nf_tables notifications): a test-only name.</summary>
    public const string IptablesLegacy = "iptables-legacy";

    public TestNetwork Net { get; }

    public RtNetlink Host => Net.Host;

    public string Backend { get; }

    public IFirewall<FirewallState, FirewallChange> Firewall { get; }

    /// <summary>A bridge with gateway .1 of each subnet (IPv6 gateway ::1), and the rules describing it (not yet applied).</summary>
    public BridgeRules AddBridge(string name, string tag, string subnet, string? subnet6 = null, bool icc = true, bool @internal = false, bool masquerade = true)
    {
        Host.CreateLink(new BridgeSpec(name) { Up = true });
        int index = Host.GetLink(name).Index;
        var subnets = new List<IPNetwork> { IPNetwork.Parse(subnet) };
        Host.AddAddress(index, new IPPrefix(Gateway(subnets[0]), subnets[0].PrefixLength));
        if (subnet6 is not null)
        {
            subnets.Add(IPNetwork.Parse(subnet6));
            Host.AddAddress(index, new IPPrefix(Gateway(subnets[1]), subnets[1].PrefixLength), AddressFlags.NoDad);
        }
        return new BridgeRules(tag, name, subnets) { Icc = icc, Internal = @internal, Masquerade = masquerade };
    }

    /// <summary>A sandbox on <paramref name="bridge"/> with eth0 at <paramref name="address"/> (and <paramref name="address6"/>), default routes via the gateways, hairpin on its bridge port.</summary>
    public (NetworkNamespace Ns, RtNetlink Rt) AddSandbox(string name, BridgeRules bridge, string address, string? address6 = null)
    {
        var (ns, rt) = Net.Add(name);
        var ip = IPAddress.Parse(address);
        var hostSide = $"vfw{Interlocked.Increment(ref _sandboxes)}";
        int br = Host.GetLink(bridge.BridgeName).Index;
        Host.CreateLink(new VethSpec(hostSide, "eth0") { MasterIndex = br, Up = true, PeerNamespace = ns, PeerMac = MacAddress.FromIPv4(ip) });
        _ports[name] = (hostSide, bridge.Tag, MacAddress.FromIPv4(ip), ip, address6 is null ? null : IPAddress.Parse(address6));
        Host.SetBridgePort(Host.GetLink(hostSide).Index, new BridgePortSettings { Hairpin = true });
        rt.SetUp(rt.GetLink("lo").Index);
        int eth0 = rt.GetLink("eth0").Index;
        rt.SetUp(eth0);
        var v4 = bridge.Subnets[0];
        rt.AddAddress(eth0, new IPPrefix(ip, v4.PrefixLength));
        rt.AddRoute(Route.DefaultVia(Gateway(v4), eth0));
        if (address6 is not null)
        {
            var v6 = bridge.Subnets[1];
            rt.AddAddress(eth0, new IPPrefix(IPAddress.Parse(address6), v6.PrefixLength), AddressFlags.NoDad);
            rt.AddRoute(Route.DefaultVia(Gateway(v6), eth0));
            WaitForIPv6(name, Gateway(v6).ToString());
        }
        return (ns, rt);
    }

    /// <summary>
    /// Waits until <paramref name="ns"/> can ping <paramref name="address"/>: a fresh IPv6 port needs a moment for
    /// neighbour discovery on the new bridge port, and the first connection would otherwise race it.
    /// </summary>
    public void WaitForIPv6(string ns, string address)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Net.Exec(ns, "busybox", "ping", "-6", "-c", "1", "-W", "1", address).ExitCode != 0)
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"{address} is not reachable over IPv6 from {ns}");
        }
    }

    private readonly Dictionary<string, (string HostSide, string Network, MacAddress Mac, IPAddress IPv4, IPAddress? IPv6)> _ports = [];

    /// <summary>The bridge port of a sandbox made by <see cref="AddSandbox"/>, for the firewall (tag "ep-NAME").</summary>
    public BridgePort PortOf(string sandbox)
    {
        var (hostSide, network, mac, v4, v6) = _ports[sandbox];
        return new BridgePort("ep-" + sandbox, network, hostSide, mac, v4, v6);
    }

    public static IPAddress Gateway(IPNetwork subnet)
    {
        var bytes = subnet.BaseAddress.GetAddressBytes();
        bytes[^1] |= 1;
        return new IPAddress(bytes);
    }

    public FirewallTransaction<FirewallChange> Begin() => Firewall.Begin();

    /// <summary>Starts busybox httpd in <paramref name="ns"/> serving <paramref name="body"/> and waits until it answers there.</summary>
    public void StartHttp(string ns, int port, string body)
    {
        var dir = Path.Combine(_www, $"{ns}-{port}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "index.html"), body + "\n");
        var psi = new ProcessStartInfo("nsenter", [$"--net={Net.PathOf(ns)}", "--", "busybox", "httpd", "-f", "-v", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", dir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var p = Process.Start(psi)!;
        var log = new StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.AppendLine(e.Data);
        };
        p.BeginErrorReadLine();
        _servers.Add(p);
        _logs[(ns, port)] = log;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Curl(ns, $"http://127.0.0.1:{port}/", maxTime: 1) != body)
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"httpd on port {port} in {ns} did not come up");
            Thread.Sleep(20);
        }
    }

    private readonly Dictionary<(string, int), StringBuilder> _logs = [];

    /// <summary>What httpd -v logged: one "[client]:port: response:200" line per request.</summary>
    public string HttpLog(string ns, int port)
    {
        var log = _logs[(ns, port)];
        lock (log) return log.ToString();
    }

    /// <summary>The body curl gets from <paramref name="url"/> inside <paramref name="ns"/>, or null when it cannot connect or times out.</summary>
    public string? Curl(string ns, string url, double maxTime = 2, string? source = null)
    {
        var args = new List<string> { $"--net={Net.PathOf(ns)}", "--", "curl", "-s", "-g", "--max-time", maxTime.ToString(System.Globalization.CultureInfo.InvariantCulture), "--connect-timeout", Math.Min(maxTime, 1.5).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (source is not null) args.AddRange(["--interface", source]);
        args.Add(url);
        var (code, output) = Processes.Run("nsenter", args);
        return code == 0 ? output.TrimEnd('\n') : null;
    }

    /// <summary>
    /// A UDP server in <paramref name="ns"/> that answers each datagram with "echo:" + its text and the sender's address.
    /// The returned counter holds how many datagrams arrived, so a test can see a packet got in even when no answer gets out.
    /// </summary>
    public StrongBox<int> StartUdpEcho(NetworkNamespace ns, IPAddress bind, int port)
    {
        var received = new StrongBox<int>();
        var socket = ns.Run(() =>
        {
            var s = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(bind, port));
            return s;
        });
        _resources.Add(socket);
        var thread = new Thread(() =>
        {
            var buffer = new byte[512];
            EndPoint from = new IPEndPoint(bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
            try
            {
                while (true)
                {
                    int n = socket.ReceiveFrom(buffer, ref from);
                    Interlocked.Increment(ref received.Value);
                    var reply = Encoding.ASCII.GetBytes($"echo:{Encoding.ASCII.GetString(buffer, 0, n)} from {((IPEndPoint)from).Address}");
                    socket.SendTo(reply, from);
                }
            }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
        }) { IsBackground = true };
        thread.Start();
        return received;
    }

    /// <summary>Sends one datagram from <paramref name="ns"/> and returns the answer, or null after the timeout.</summary>
    public static string? UdpAsk(NetworkNamespace ns, IPAddress to, int port, string text, int timeoutMs = 1000)
    {
        using var socket = ns.Run(() => new Socket(to.AddressFamily, SocketType.Dgram, ProtocolType.Udp));
        socket.ReceiveTimeout = timeoutMs;
        socket.SendTo(Encoding.ASCII.GetBytes(text), new IPEndPoint(to, port));
        var buffer = new byte[512];
        try
        {
            int n = socket.Receive(buffer);
            return Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Runs a tool (nft, iptables-save, ...) in the test's host namespace.</summary>
    public string HostExec(params string[] command)
    {
        var (code, output) = Net.Exec("host", command);
        Assert.True(code == 0, $"{string.Join(' ', command)} failed in the test host namespace: {output}");
        return output;
    }

    /// <summary>Every Plexus rule the host namespace holds, as its backend's tools print them.</summary>
    public string PlexusRules() => Backend switch
    {
        Firewalls.Nftables => HostExec("nft", "list", "ruleset"),
        IptablesLegacy => HostExec("iptables-legacy-save") + HostExec("ip6tables-legacy-save"),
        _ => HostExec("iptables-save") + HostExec("ip6tables-save"),
    };

    /// <summary>
    /// Throws the whole firewall away: `nft flush ruleset` (the first line of the stock nftables.conf), or for iptables
    /// an empty iptables-restore of every table (what a boot-time restore of rules without Plexus's does), each one
    /// command, so a watcher repairing in between cannot make the flush itself fail.
    /// </summary>
    public void FlushFirewall()
    {
        if (Backend == Firewalls.Nftables)
        {
            HostExec("nft", "flush", "ruleset");
            return;
        }
        var suffix = Backend == IptablesLegacy ? "-legacy" : "";
        HostExec("sh", "-c", $"printf '*raw\\nCOMMIT\\n*nat\\nCOMMIT\\n*filter\\nCOMMIT\\n' | iptables{suffix}-restore && printf '*nat\\nCOMMIT\\n*filter\\nCOMMIT\\n' | ip6tables{suffix}-restore");
    }

    public void Dispose()
    {
        foreach (var p in _servers)
        {
            try
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(2000);
            }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        foreach (var r in _resources) r.Dispose();
        Firewall.Dispose();
        Net.Dispose();
        try
        {
            Directory.Delete(_www, recursive: true);
        }
        catch (IOException) { }
    }
}
