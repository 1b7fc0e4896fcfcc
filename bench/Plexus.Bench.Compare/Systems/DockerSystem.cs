using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// Docker from Debian's docker.io: a dockerd started here with its own data root, exec root, socket and
/// containerd, cgroupfs under a cgroup parent named after the run, userland proxy on (the default).
/// Containers come from a tiny image imported here (busybox-static's /bin/busybox and a few links) and run
/// `sleep`; attach is POST /networks/NET/connect on dockerd's socket, as `docker network connect` sends it.
/// Its networks are made by Docker's own bridge driver, or by a network plugin (<see cref="DockerNetworking"/>).
/// </summary>
internal sealed class DockerSystem(RunPaths paths, Subnet defaultBridge, Subnet park, DockerNetworking? networking = null) : ISystemUnderTest
{
    private readonly DockerNetworking _networking = networking ?? DockerNetworking.Bridge(defaultBridge);
    private const string Image = "plexus-bench/busybox:latest";
    private const string ParkNetwork = "plexus-bench-park";
    private readonly ConcurrentDictionary<string, byte> _containers = new();
    private readonly ConcurrentDictionary<string, byte> _networks = new();
    private DaemonProcess? _daemon;
    private UnixHttp? _api;
    private string _version = "?";
    private string _storage = "?";
    private string _containerdAddress = "";

    public string Name => _networking.SystemName;

    public string Description =>
        $"dockerd {_version} (storage {_storage}, cgroupfs, {_networking.What}), its own containerd; HTTP/1.1 on its Unix socket over pooled keep-alive connections; attach = POST /networks/NET/connect of a running container; ports as the docker CLI sends -p A-B:A-B, one binding per port";

    public string? NetworkCreateUnsupported => null;
    public string? PortsUnsupported => null;

    private UnixHttp Api => _api ?? throw new InvalidOperationException("not started");

    public void Start()
    {
        var dockerd = ProcessRunner.Locate("dockerd") ?? throw new NotAvailableException("dockerd is not installed (Debian's docker.io)");
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists)
            ?? throw new NotAvailableException("busybox is not installed (busybox-static makes the image)");
        if (ProcessRunner.Locate("containerd") is null || ProcessRunner.Locate("runc") is null)
            throw new NotAvailableException("containerd or runc is missing");
        string? lastReason = null;
        // overlay2 where the data root's file system allows it, else vfs (a copy per container: slower to
        // create, which is untimed here).
        foreach (var driver in new[] { "overlay2", "vfs" })
        {
            if (TryStart(dockerd, driver, out lastReason))
            {
                _storage = driver;
                break;
            }
        }
        if (_daemon is null) throw new NotAvailableException($"dockerd did not start: {lastReason}");
        _version = Api.Get("/version")?["Version"]?.GetValue<string>() ?? "?";
        Api.PostRaw("/images/create?fromSrc=-&repo=plexus-bench/busybox&tag=latest", ImageTar(busybox), "application/x-tar");
        // Containers start on a parking network and leave it at once: `docker network connect` needs a
        // container that is not in "none" mode, and the parking bridge never holds more than a few ports.
        CreateNetwork(ParkNetwork, park);
    }

    private bool TryStart(string dockerd, string driver, out string? reason)
    {
        var data = paths.DataOf(Name + "-" + driver);
        var runtime = paths.RuntimeOf(Name + "-" + driver);
        var socket = Path.Combine(runtime, "docker.sock");
        var config = Path.Combine(data, "daemon.json");
        File.WriteAllText(config, "{}");
        _containerdAddress = Path.Combine(runtime, "exec", "containerd", "containerd.sock");
        var daemon = DaemonProcess.Start(dockerd,
        [
            "--config-file", config, "--data-root", Path.Combine(data, "root"), "--exec-root", Path.Combine(runtime, "exec"),
            "--pidfile", Path.Combine(runtime, "dockerd.pid"), "-H", "unix://" + socket,
            "--storage-driver", driver, "--exec-opt", "native.cgroupdriver=cgroupfs", "--cgroup-parent", "/" + CgroupParent,
            .. _networking.DaemonArgs,
        ], Path.Combine(data, "dockerd.log"));
        var api = new UnixHttp(socket, TimeSpan.FromMinutes(5));
        if (daemon.WaitUntil(() => File.Exists(socket) && api.Ping(), TimeSpan.FromSeconds(60)))
        {
            _daemon = daemon;
            _api = api;
            reason = null;
            return true;
        }
        reason = $"{driver}: {daemon.Tail()}";
        api.Dispose();
        daemon.Dispose();
        return false;
    }

    /// <summary>A root file system with /bin/busybox and the links the containers use, as a tar for `docker import`.</summary>
    private static byte[] ImageTar(string busybox)
    {
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
            tar.WriteEntry(busybox, "bin/busybox");
            foreach (var link in new[] { "sh", "sleep" })
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + link) { LinkName = "busybox" });
        }
        return buffer.ToArray();
    }

    public void CreateNetwork(string network, Subnet subnet)
    {
        Api.Post("/networks/create", new JsonObject
        {
            ["Name"] = network,
            ["Driver"] = _networking.Driver,
            ["CheckDuplicate"] = true,
            ["IPAM"] = new JsonObject
            {
                ["Driver"] = _networking.IpamDriver,
                ["Config"] = new JsonArray(new JsonObject { ["Subnet"] = subnet.Cidr }),
            },
        });
        _networks[network] = 0;
    }

    public void DeleteNetwork(string network)
    {
        Api.Delete("/networks/" + network);
        _networks.TryRemove(network, out _);
    }

    private void RunContainer(string name, string network, int firstHostPort, int count)
    {
        var body = new JsonObject
        {
            ["Image"] = Image,
            ["Cmd"] = new JsonArray("sleep", "1d"),
            ["HostConfig"] = new JsonObject { ["NetworkMode"] = network },
        };
        if (count > 0)
        {
            // What the docker CLI sends for -p 20000-20999:20000-20999: one binding per port.
            var exposed = new JsonObject();
            var bindings = new JsonObject();
            for (int port = firstHostPort; port < firstHostPort + count; port++)
            {
                exposed[$"{port}/tcp"] = new JsonObject();
                bindings[$"{port}/tcp"] = new JsonArray(new JsonObject { ["HostIp"] = "", ["HostPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            body["ExposedPorts"] = exposed;
            body["HostConfig"]!["PortBindings"] = bindings;
        }
        Api.Post("/containers/create?name=" + name, body);
        _containers[name] = 0;
        Api.Post($"/containers/{name}/start");
    }

    public void CreateSandbox(string sandbox)
    {
        RunContainer(sandbox, ParkNetwork, 0, 0);
        Detach(ParkNetwork, sandbox);
    }

    public void Attach(string network, string sandbox) =>
        Api.Post($"/networks/{network}/connect", new JsonObject { ["Container"] = sandbox });

    public void AttachUntimed(string network, string sandbox) => Attach(network, sandbox);

    public void DetachUntimed(string network, string sandbox) => Detach(network, sandbox);

    public void Detach(string network, string sandbox) =>
        Api.Post($"/networks/{network}/disconnect", new JsonObject { ["Container"] = sandbox });

    public void AttachWithPorts(string network, string sandbox, int firstHostPort, int count) =>
        RunContainer(sandbox, network, firstHostPort, count);

    public void RemovePortsSandbox(string network, string sandbox) => RemoveContainer(sandbox);

    private void RemoveContainer(string name)
    {
        Api.Delete($"/containers/{name}?force=true");
        _containers.TryRemove(name, out _);
    }

    /// <summary>dockerd, then its descendants (containerd, docker-proxy), then the containerd shims (which daemonize away from it).</summary>
    public IReadOnlyList<int> ResidentProcesses()
    {
        if (_daemon is not { HasExited: false } d) return [];
        var tree = new List<int> { d.Pid };
        tree.AddRange(ProcessTree.Descendants(d.Pid));
        tree.AddRange(Shims().Where(shim => !tree.Contains(shim)));
        return tree;
    }

    /// <summary>The containerd shims of this dockerd's containerd (their command line names its socket).</summary>
    private List<int> Shims() => _containerdAddress.Length == 0 ? [] :
        ProcessTree.WithCommandLineContaining(_containerdAddress)
            .Where(pid => ProcessTree.CommandLine(pid).Contains("containerd-shim", StringComparison.Ordinal)).ToList();

    public void Stop()
    {
        if (_api is not null && _daemon is { HasExited: false })
        {
            // Several at once: removing a thousand containers one by one takes minutes.
            Parallel.ForEach(_containers.Keys.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 4 }, c => Try(() => RemoveContainer(c)));
            foreach (var network in _networks.Keys.ToList()) Try(() => DeleteNetwork(network));
        }
        _api?.Dispose();
        _api = null;
        // dockerd stops its containerd on SIGTERM.
        if (_daemon is not null)
        {
            _daemon.Stop(TimeSpan.FromSeconds(30));
            _daemon.Dispose();
            _daemon = null;
        }
        // Shims of removed containers exit on their own, a moment later; any still there after that are killed.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<int> shims;
        while ((shims = Shims()).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(200);
        foreach (var shim in shims)
        {
            Console.Error.WriteLine($"compare: docker cleanup: killing containerd shim {shim} and its container");
            foreach (var pid in ProcessTree.Descendants(shim).Append(shim).Reverse())
                ProcessRunner.Run("/bin/kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        // The cgroup directories dockerd made under its --cgroup-parent.
        foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
        {
            var parent = Path.Combine(controller, CgroupParent);
            if (Directory.Exists(parent)) Try(() => RemoveEmptyTree(parent));
        }
    }

    /// <summary>The cgroup dockerd puts its containers under (named after the run, so that the sweep finds it).</summary>
    private string CgroupParent => paths.RunId + "-" + Name;

    private static void RemoveEmptyTree(string directory)
    {
        foreach (var child in Directory.GetDirectories(directory)) RemoveEmptyTree(child);
        Directory.Delete(directory);
    }

    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is SystemFailureException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"compare: docker cleanup: {e.Message}");
        }
    }

    public void Dispose() => Stop();
}

/// <summary>Who makes a dockerd's networks: its own bridge driver, or a plugin (network and IPAM drivers by name).</summary>
/// <param name="DaemonArgs">dockerd's options that go with it.</param>
/// <param name="What">For the report.</param>
internal sealed record DockerNetworking(string SystemName, string Driver, string IpamDriver, IReadOnlyList<string> DaemonArgs, string What)
{
    /// <summary>Docker as it comes: the bridge driver, iptables, a docker-proxy per published port.</summary>
    public static DockerNetworking Bridge(Subnet defaultBridge) =>
        new("docker", "bridge", "default", ["--bip", defaultBridge.Gateway + "/16", "--userland-proxy=true"], "bridge driver, userland proxy on");

    /// <summary>Plexus as the network and IPAM plugin: Docker programs no firewall and makes no default bridge.</summary>
    public static readonly DockerNetworking Plexus =
        new("docker-plexus", "plexus", "plexus", ["--iptables=false", "--bridge=none"], "network and IPAM driver plexus, --iptables=false --bridge=none");
}
