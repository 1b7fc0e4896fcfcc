using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Namespaces;

namespace Plexus.Testing;

/// <summary>
/// An etcd member (Debian's etcd-server) for a test: on 127.0.0.1 of the test's private namespace (or of a
/// namespace the test made), its data in a temporary directory, killed by its PID and its data removed on
/// dispose. <see cref="StartCluster"/> makes several members of one cluster. Fast raft timings: tests
/// wait for elections and lease expiry.
/// </summary>
public sealed class EtcdProcess : IDisposable
{
    private readonly string _name;
    private readonly string _initialCluster;
    private readonly NetworkNamespace? _ns;
    private Process? _process;
    private readonly System.Text.StringBuilder _log = new();
    private int _logMark;

    private readonly EtcdTlsFiles? _tls;
    private readonly string _address;

    private EtcdProcess(string name, int clientPort, int peerPort, string initialCluster, NetworkNamespace? ns, EtcdTlsFiles? tls = null, string address = "127.0.0.1")
    {
        _tls = tls;
        _address = address;
        _name = name;
        ClientPort = clientPort;
        PeerPort = peerPort;
        _initialCluster = initialCluster;
        _ns = ns;
        DataDir = Directory.CreateTempSubdirectory("plexus-etcd-test-").FullName;
    }

    public int ClientPort { get; }
    public int PeerPort { get; }
    public string DataDir { get; }

    /// <summary>HOST:PORT as --cluster-store takes it.</summary>
    public string Endpoint => $"{_address}:{ClientPort}";

    public Uri ClientUrl => new($"{Scheme}://{_address}:{ClientPort}");

    private string Scheme => _tls is null ? "http" : "https";

    public int Pid => _process?.Id ?? 0;

    public bool IsRunning => _process is { HasExited: false };

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>A single-member cluster, serving when this returns.</summary>
    public static EtcdProcess Start(NetworkNamespace? ns = null, EtcdTlsFiles? tls = null)
    {
        int client = FreePort(), peer = FreePort();
        var etcd = new EtcdProcess("m0", client, peer, $"m0=http://127.0.0.1:{peer}", ns, tls);
        try
        {
            etcd.Launch(existing: false);
            etcd.WaitReady();
            return etcd;
        }
        catch
        {
            etcd.Dispose(); // nothing left running when it failed to start
            throw;
        }
    }

    /// <summary>
    /// A single-member cluster serving clients on <paramref name="address"/> of namespace <paramref name="ns"/> (an
    /// address the test gave that namespace, so that other namespaces reach it: the overlay tests' "hosts").
    /// </summary>
    public static EtcdProcess StartOn(NetworkNamespace ns, string address)
    {
        int client = FreePort(), peer = FreePort();
        var etcd = new EtcdProcess("m0", client, peer, $"m0=http://127.0.0.1:{peer}", ns, address: address);
        try
        {
            etcd.Launch(existing: false);
            etcd.WaitReady();
            return etcd;
        }
        catch
        {
            etcd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A cluster of <paramref name="members"/> members, all serving when this returns: on 127.0.0.1 of the test's
    /// namespace, or serving clients on <paramref name="address"/> of <paramref name="ns"/> (each on its own port).
    /// </summary>
    public static IReadOnlyList<EtcdProcess> StartCluster(int members, NetworkNamespace? ns = null, string address = "127.0.0.1")
    {
        var ports = Enumerable.Range(0, members).Select(_ => (Client: FreePort(), Peer: FreePort())).ToList();
        var initial = string.Join(',', ports.Select((p, i) => $"m{i}=http://127.0.0.1:{p.Peer}"));
        var cluster = ports.Select((p, i) => new EtcdProcess($"m{i}", p.Client, p.Peer, initial, ns, address: address)).ToList();
        try
        {
            foreach (var member in cluster) member.Launch(existing: false);
            foreach (var member in cluster) member.WaitReady();
            return cluster;
        }
        catch
        {
            foreach (var member in cluster) member.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL, as a crash: the data stays for <see cref="Restart"/>.</summary>
    public void Kill()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    /// <summary>SIGSTOP: the member hangs; its connections stay open and its port still accepts, but nothing answers.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal("-CONT");

    private void Signal(string signal)
    {
        if (_process is not { HasExited: false } process) return;
        var (exit, output) = Processes.Run("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (exit != 0) throw new InvalidOperationException($"kill {signal} {process.Id}: {output}");
    }

    /// <summary>Starts the member again on its data (same ports, same cluster) and waits until it serves.</summary>
    public void Restart()
    {
        Kill();
        Launch(existing: true);
        WaitReady();
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // a file still open: the temp cleaner takes it
        }
    }

    private void Launch(bool existing)
    {
        if (!File.Exists("/usr/bin/etcd")) throw new InvalidOperationException("etcd is not installed: scripts/setup.sh installs Debian's etcd-server");
        // With TLS, clients must present a certificate signed by the CA (etcd's --client-cert-auth).
        string[] tls = _tls is { } t ? ["--cert-file", t.CertFile, "--key-file", t.KeyFile, "--trusted-ca-file", t.CaFile, "--client-cert-auth"] : [];
        var psi = new ProcessStartInfo("/usr/bin/etcd",
        [
            .. tls,
            "--name", _name, "--data-dir", DataDir,
            "--listen-client-urls", $"{Scheme}://{Endpoint}", "--advertise-client-urls", $"{Scheme}://{Endpoint}",
            "--listen-peer-urls", $"http://127.0.0.1:{PeerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{PeerPort}",
            "--initial-cluster", _initialCluster, "--initial-cluster-state", existing ? "existing" : "new",
            "--initial-cluster-token", "plexus-test-" + _initialCluster.GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture),
            "--heartbeat-interval", "50", "--election-timeout", "500",
            "--logger", "zap", "--log-outputs", "stderr",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        lock (_log) _logMark = _log.Length; // a restart waits only for what this run says
        _process = _ns is null ? Process.Start(psi)! : _ns.StartProcess(psi);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.AppendLine(line);
            Monitor.PulseAll(_log);
        }
    }

    private void WaitReady()
    {
        var clock = Stopwatch.StartNew();
        lock (_log)
        {
            int from = _logMark;
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (_log.ToString(from, _log.Length - from).Contains("serving client traffic", StringComparison.Ordinal)) return;
                if (_process is null || _process.HasExited) break;
                Monitor.Wait(_log, 200);
            }
        }
        if (_process is { HasExited: true }) _process.WaitForExit(); // its last words, read to the end
        throw new InvalidOperationException($"etcd {_name} did not become ready: {Log}");
    }

    /// <summary>A port nobody listens on in this namespace (a fresh namespace has none in use at all).</summary>
    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

/// <summary>The server side of TLS for a test etcd: its certificate and key, and the CA its clients' certificates must chain to.</summary>
public sealed record EtcdTlsFiles(string CertFile, string KeyFile, string CaFile);
