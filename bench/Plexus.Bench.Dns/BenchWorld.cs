using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Plexus.Kernel.Namespaces;

namespace Plexus.Bench.Dns;

/// <summary>
/// Everything the DNS benchmark runs against, inside the private namespace the runner made: an "outside"
/// namespace with dnsmasq as the upstream server (198.51.100.2), plexusd forwarding to it, a bridge
/// network with a target sandbox (alias svc) and a client sandbox, and aardvark-dns serving the same
/// names on the bridge's gateway address, as netavark runs it (upstream from resolv.conf, bind-mounted
/// here for this mount namespace only).
/// </summary>
internal sealed class BenchWorld : IDisposable
{
    public const string Upstream = "198.51.100.2";
    public const string ForwardedName = "www.example.test";
    public const string ForwardedAddress = "203.0.113.7";
    public const string LocalName = "svc";
    public const string TargetAddress = "10.89.0.10";
    public const string Gateway = "10.89.0.1";

    private static readonly string[] AardvarkPaths = ["/usr/lib/podman/aardvark-dns", "/usr/libexec/podman/aardvark-dns"];

    private readonly string _work = Directory.CreateTempSubdirectory("plexus-bench-dns-").FullName;
    private readonly string _root;

    /// <summary>The NativeAOT plexusd and plexus, as installed (bench/dns.sh publishes them with scripts/publish-native.sh).</summary>
    private string NativeDirectory => Environment.GetEnvironmentVariable("PLEXUS_NATIVE_DIR") is { Length: > 0 } d ? d : Path.Combine(_root, "artifacts/native");
    private readonly List<Process> _processes = [];
    private Process? _plexusd;
    private int? _aardvarkPid;
    private bool _resolvMounted;

    public BenchWorld(string root)
    {
        _root = root;
    }

    public NetworkNamespace? Client { get; private set; }

    public string? PlexusProblem { get; private set; }

    public string? AardvarkProblem { get; private set; }

    public string Socket => Path.Combine(_work, "plexus.sock");

    public void Start(Action<string> progress)
    {
        progress("outside namespace and dnsmasq");
        Sh("ip", "netns", "add", "bench-outside");
        Sh("ip", "link", "add", "uplink", "type", "veth", "peer", "name", "wan", "netns", "bench-outside");
        Sh("ip", "addr", "add", "198.51.100.1/24", "dev", "uplink");
        Sh("ip", "link", "set", "uplink", "up");
        Sh("ip", "-n", "bench-outside", "addr", "add", Upstream + "/24", "dev", "wan");
        Sh("ip", "-n", "bench-outside", "link", "set", "wan", "up");
        Sh("ip", "-n", "bench-outside", "link", "set", "lo", "up");
        Spawn("ip", "netns", "exec", "bench-outside", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
            "--no-hosts", "--pid-file=", "--user=root", "--bind-interfaces", $"--listen-address={Upstream}",
            $"--address=/{ForwardedName}/{ForwardedAddress}");

        progress("plexusd, a network and two sandboxes");
        var plexusd = Path.Combine(NativeDirectory, "plexusd");
        _plexusd = Spawn(plexusd, "--data-root", Path.Combine(_work, "data"), "--exec-root", Path.Combine(_work, "exec"),
            "-H", "unix://" + Socket, "--dns", Upstream, "--plugin-socket", "none");
        for (int i = 0; i < 200 && Plexus("info").Code != 0; i++) Thread.Sleep(50);
        foreach (var command in new[]
                 {
                     new[] { "network", "create", "--subnet", "10.89.0.0/24", "bench" },
                     ["create", "--name", "target", "--network", "bench", "--ip", TargetAddress, "--network-alias", LocalName],
                     ["create", "--name", "client", "--network", "bench"],
                 })
        {
            var (code, output) = Plexus(command);
            if (code != 0)
            {
                PlexusProblem = $"plexus {string.Join(' ', command)}: {output.Trim()}";
                return;
            }
        }
        var key = Plexus("inspect", "-f", "{{ .NetworkSettings.SandboxKey }}", "client").Output.Trim();
        Client = NetworkNamespace.OpenPath(key);
        var targetId = Plexus("inspect", "-f", "{{ .Id }}", "target").Output.Trim();

        progress("aardvark-dns on the gateway address");
        var aardvark = AardvarkPaths.FirstOrDefault(File.Exists);
        if (aardvark is null)
        {
            AardvarkProblem = "aardvark-dns is not installed (Debian package aardvark-dns)";
            return;
        }
        var config = Directory.CreateDirectory(Path.Combine(_work, "aardvark")).FullName;
        // aardvark-dns's format: the listening addresses, then "id ipv4s ipv6s names" per container.
        File.WriteAllText(Path.Combine(config, "bench"), $"{Gateway}\n{targetId} {TargetAddress}  target,{LocalName}\n");
        var resolv = Path.Combine(_work, "resolv.conf");
        File.WriteAllText(resolv, $"nameserver {Upstream}\n");
        Sh("mount", "--bind", resolv, "/etc/resolv.conf"); // this mount namespace only: the runner's private one
        _resolvMounted = true;
        // `run` forks: the server is the child whose PID it writes to aardvark.pid in the config directory.
        Spawn(aardvark, "--config", config, "-p", "53", "run");
        var pidFile = Path.Combine(config, "aardvark.pid");
        for (int i = 0; i < 100 && !File.Exists(pidFile); i++) Thread.Sleep(50);
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            _aardvarkPid = pid;
        else
            AardvarkProblem = "aardvark-dns did not start (no aardvark.pid)";
    }

    /// <summary>Checks a server answers both names as expected before it is measured.</summary>
    public string? Verify(IPEndPoint server)
    {
        foreach (var (name, expected) in new[] { (LocalName, TargetAddress), (ForwardedName, ForwardedAddress) })
        {
            string? got = null;
            for (int attempt = 0; attempt < 50 && got != expected; attempt++)
            {
                got = AskOnce(server, name);
                if (got != expected) Thread.Sleep(100);
            }
            if (got != expected) return $"{name} answered {got ?? "nothing"} instead of {expected}";
        }
        return null;
    }

    private string? AskOnce(IPEndPoint server, string name)
    {
        using var s = Client!.Run(() => new System.Net.Sockets.Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        s.ReceiveTimeout = 500;
        try
        {
            s.Connect(server);
            s.Send(LoadGenerator.Query(name));
            var b = new byte[512];
            int n = s.Receive(b);
            // The first answer's address: after the question (name + 4) and the answer's 12-octet head.
            int o = 12;
            while (b[o] != 0) o += b[o] + 1;
            o += 5;
            return n >= o + 16 ? new IPAddress(b.AsSpan(o + 12, 4)).ToString() : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>Resident memory of the two servers, in MB.</summary>
    public (double Plexusd, double Aardvark) Rss() => (RssOf(_plexusd?.Id), RssOf(_aardvarkPid));

    private static double RssOf(int? pid)
    {
        try
        {
            if (pid is null) return double.NaN;
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return double.NaN;
        }
    }

    private (int Code, string Output) Plexus(params string[] args)
    {
        var cli = Path.Combine(NativeDirectory, "plexus");
        return Run(cli, ["-H", "unix://" + Socket, .. args]);
    }

    private static void Sh(params string[] args)
    {
        var (code, output) = Run(args[0], args[1..]);
        if (code != 0) throw new InvalidOperationException($"{string.Join(' ', args)}: {output}");
    }

    private static (int Code, string Output) Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private Process Spawn(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        if (_plexusd is not null && !_plexusd.HasExited)
        {
            Plexus("rm", "-f", "client");
            Plexus("rm", "-f", "target");
            Plexus("network", "rm", "bench");
        }
        Client?.Dispose();
        if (_aardvarkPid is { } daemon)
        {
            try
            {
                using var p = Process.GetProcessById(daemon);
                p.Kill();
                p.WaitForExit(5000);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
        }
        if (_resolvMounted) Run("umount", ["/etc/resolv.conf"]);
        Run("ip", ["netns", "del", "bench-outside"]);
        Run("ip", ["link", "del", "uplink"]);
        // plexusd's namespace folder is a mount point of its own: while mounted it cannot be removed, and the empty
        // folder would outlive this run's mount namespace.
        Run("umount", ["--recursive", "--lazy", Path.Combine(_work, "exec", "netns")]);
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
