using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// Plexus through its API: plexusd (the published ReadyToRun build) started here with its own data and exec
/// roots, driven by HTTP on its Unix socket. Sandboxes are POST /plexus/sandboxes with only a name; attach is
/// POST /networks/{id}/connect, detach /disconnect.
/// </summary>
/// <param name="pluginSocket">Where plexusd serves Docker's plugin protocol: nowhere, unless Docker is to use it (docker-plexus).</param>
internal class PlexusApiSystem(RunPaths paths, string plexusDirectory, Subnet defaultBridge, string name = "plexus-api", string? build = null,
    string pluginSocket = "none") : ISystemUnderTest
{
    private readonly ConcurrentDictionary<string, byte> _sandboxes = new();
    private readonly ConcurrentDictionary<string, byte> _networks = new();
    private DaemonProcess? _daemon;
    private UnixHttp? _api;

    public string Name => name;

    public virtual string Description =>
        $"plexusd {Version} ({(build is null ? "NativeAOT build" : build)}, nftables firewall), HTTP/1.1 on its Unix socket over pooled keep-alive connections; attach = POST /networks/NET/connect";

    public string? NetworkCreateUnsupported => null;
    public virtual string? PortsUnsupported => null;

    protected string Version { get; private set; } = "?";
    protected UnixHttp Api => _api ?? throw new InvalidOperationException("not started");
    public string SocketPath { get; private set; } = "";

    public void Start()
    {
        var daemonPath = Path.Combine(plexusDirectory, "plexusd");
        if (!File.Exists(daemonPath)) throw new NotAvailableException($"{daemonPath} is missing (bench/compare.sh publishes it)");
        var data = paths.DataOf(name);
        var runtime = paths.RuntimeOf(name);
        SocketPath = Path.Combine(runtime, "plexus.sock");
        // An empty config file, so that a machine's /etc/plexus/daemon.json plays no part.
        var config = Path.Combine(data, "daemon.json");
        File.WriteAllText(config, "{}");
        _daemon = DaemonProcess.Start(daemonPath,
            ["--config-file", config, "--data-root", Path.Combine(data, "store"), "--exec-root", Path.Combine(runtime, "exec"),
             "-H", "unix://" + SocketPath, "--bip", defaultBridge.Gateway + "/16", "--plugin-socket", pluginSocket],
            Path.Combine(data, "plexusd.log"));
        _api = new UnixHttp(SocketPath, TimeSpan.FromMinutes(2));
        if (!_daemon.WaitUntil(() => File.Exists(SocketPath) && _api.Ping(), TimeSpan.FromSeconds(60)))
            throw new NotAvailableException($"plexusd did not answer on {SocketPath}: {_daemon.Tail()}");
        Version = Api.Get("/version")?["Version"]?.GetValue<string>() ?? "?";
    }

    public virtual void CreateNetwork(string network, Subnet subnet)
    {
        Api.Post("/networks/create", new JsonObject
        {
            ["Name"] = network,
            ["Driver"] = "bridge",
            ["IPAM"] = new JsonObject { ["Config"] = new JsonArray(new JsonObject { ["Subnet"] = subnet.Cidr }) },
        });
        _networks[network] = 0;
    }

    public virtual void DeleteNetwork(string network)
    {
        Api.Delete("/networks/" + network);
        _networks.TryRemove(network, out _);
    }

    public void CreateSandbox(string sandbox)
    {
        Api.Post("/plexus/sandboxes", new JsonObject { ["Name"] = sandbox });
        _sandboxes[sandbox] = 0;
    }

    public virtual void Attach(string network, string sandbox) => AttachUntimed(network, sandbox);

    public void AttachUntimed(string network, string sandbox) =>
        Api.Post($"/networks/{network}/connect", new JsonObject { ["Container"] = sandbox });

    public virtual void Detach(string network, string sandbox) => DetachUntimed(network, sandbox);

    public void DetachUntimed(string network, string sandbox) =>
        Api.Post($"/networks/{network}/disconnect", new JsonObject { ["Container"] = sandbox });

    public virtual void AttachWithPorts(string network, string sandbox, int firstHostPort, int count)
    {
        var body = new JsonObject { ["Name"] = sandbox, ["Network"] = network };
        if (count > 0) body["Publish"] = new JsonArray(PortRange(firstHostPort, count));
        Api.Post("/plexus/sandboxes", body);
        _sandboxes[sandbox] = 0;
    }

    /// <summary>docker -p syntax for a range: "20000-20999:20000-20999".</summary>
    protected static string PortRange(int first, int count) =>
        count == 1 ? $"{first}:{first}" : $"{first}-{first + count - 1}:{first}-{first + count - 1}";

    public void RemovePortsSandbox(string network, string sandbox) => RemoveSandbox(sandbox);

    private void RemoveSandbox(string sandbox)
    {
        Api.Delete($"/plexus/sandboxes/{sandbox}?force=true");
        _sandboxes.TryRemove(sandbox, out _);
    }

    /// <summary>Remembers a sandbox made other than through <see cref="CreateSandbox"/>, so that Stop removes it.</summary>
    protected void TrackSandbox(string sandbox) => _sandboxes[sandbox] = 0;

    protected void TrackNetwork(string network, bool exists)
    {
        if (exists) _networks[network] = 0;
        else _networks.TryRemove(network, out _);
    }

    public IReadOnlyList<int> ResidentProcesses() =>
        _daemon is { HasExited: false } d ? [d.Pid, .. ProcessTree.Descendants(d.Pid)] : [];

    public void Stop()
    {
        // plexusd leaves networks and sandboxes as they are on SIGTERM (they outlive it): remove them first.
        if (_api is not null && _daemon is { HasExited: false })
        {
            foreach (var sandbox in _sandboxes.Keys.ToList())
                Try(() => RemoveSandbox(sandbox));
            foreach (var network in _networks.Keys.ToList())
                Try(() => DeleteNetwork(network));
        }
        _api?.Dispose();
        _api = null;
        _daemon?.Dispose();
        _daemon = null;
        // By design plexusd leaves its default bridge when it stops (networks outlive the daemon); the next
        // plexusd of this run would find the name taken.
        // (Not /sys/class/net: sysfs still shows the machine's own namespace here.)
        ProcessRunner.Run("ip", ["link", "del", DefaultBridgeName]);
    }

    /// <summary>The bridge of plexusd's predefined "bridge" network.</summary>
    private const string DefaultBridgeName = "plexus0";

    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (SystemFailureException e)
        {
            Console.Error.WriteLine($"compare: cleanup: {e.Message}");
        }
    }

    public void Dispose()
    {
        Stop();
        GC.SuppressFinalize(this);
    }
}
