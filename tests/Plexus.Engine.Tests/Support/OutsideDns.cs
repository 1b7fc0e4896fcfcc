using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Rtnl.LinkKinds;
using Plexus.Kernel.Types;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Support;

/// <summary>
/// The outside world of a DNS test: a namespace "outside" joined to the world's host by a veth pair
/// (host 198.51.100.1, outside 198.51.100.2), running dnsmasq at 198.51.100.2:53 with a few records.
/// Every query dnsmasq sees is logged, so tests can tell a name was never forwarded.
/// </summary>
public sealed class OutsideDns : IDisposable
{
    public const string Address = "198.51.100.2";
    public const string WwwAddress = "203.0.113.7";

    private readonly Dnsmasq _dnsmasq;

    public OutsideDns(EngineWorld w)
    {
        var (_, outside) = w.Net.Add("outside");
        using (var outsideNs = w.Net.Directory.Open("outside"))
            w.Net.Host.CreateLink(new VethSpec("uplink", "wan") { Up = true, PeerNamespace = outsideNs });
        w.Net.Host.AddAddress(w.Net.Host.GetLink("uplink").Index, IPPrefix.Parse("198.51.100.1/24"));
        int wan = outside.GetLink("wan").Index;
        outside.SetUp(wan);
        outside.AddAddress(wan, IPPrefix.Parse(Address + "/24"));
        _dnsmasq = new Dnsmasq(w.Net.PathOf("outside"), Address);
    }

    public Dnsmasq Server => _dnsmasq;

    public string Log => _dnsmasq.Log;

    public void Dispose() => _dnsmasq.Dispose();
}

/// <summary>
/// dnsmasq listening on one address inside a namespace, answering www.example.test (A) and
/// big.example.test (a TXT record too big for a classic 512-octet UDP answer), logging every query.
/// </summary>
public sealed class Dnsmasq : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _log = new();

    public Dnsmasq(string namespacePath, string listen)
    {
        var big = string.Join(',', Enumerable.Range(0, 3).Select(i => $"\"{new string((char)('a' + i), 200)}\""));
        var psi = new ProcessStartInfo("nsenter",
        [
            $"--net={namespacePath}", "--", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
            "--no-hosts", "--pid-file=", "--user=root", "--bind-interfaces", $"--listen-address={listen}", "--log-queries",
            "--log-facility=-", $"--address=/www.example.test/{OutsideDns.WwwAddress}", $"--txt-record=big.example.test,{big}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dnsmasq");
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitListening(namespacePath, listen);
    }

    /// <summary>dnsmasq's log so far: one "query[A] name from ..." line per query it received.</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    private void WaitListening(string namespacePath, string listen)
    {
        using var ns = Plexus.Kernel.Namespaces.NetworkNamespace.OpenPath(namespacePath);
        for (int i = 0; i < 100; i++)
        {
            if (_process.HasExited) throw new InvalidOperationException($"dnsmasq exited: {Log}");
            using var s = ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
            s.ReceiveTimeout = 100;
            s.SendTo(DnsProbe.Query("www.example.test", 1), new IPEndPoint(IPAddress.Parse(listen), 53));
            try
            {
                if (s.Receive(new byte[512]) > 0) return;
            }
            catch (SocketException)
            {
            }
        }
        throw new TimeoutException($"dnsmasq did not answer: {Log}");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
