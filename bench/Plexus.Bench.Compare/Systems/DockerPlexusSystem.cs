namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// Docker with Plexus as its network and IPAM plugin (issue 15): plexusd (the NativeAOT build, as
/// <see cref="PlexusApiSystem"/> starts it) serving the plugin protocol at /run/docker/plugins/plexus.sock, and
/// a dockerd started as <see cref="DockerSystem"/> starts it, with --iptables=false --bridge=none; every network
/// is `-d plexus --ipam-driver plexus`. The same operations as the "docker" system, through dockerd's API, so the
/// two compare Docker's bridge driver (and its docker-proxy per port) with Plexus under the same dockerd.
/// </summary>
internal sealed class DockerPlexusSystem : ISystemUnderTest
{
    /// <summary>Where dockerd looks for a plugin named plexus (fixed in dockerd; the run's /run is private).</summary>
    private const string PluginSocket = "/run/docker/plugins/plexus.sock";

    private readonly PlexusApiSystem _plexus;
    private readonly DockerSystem _docker;
    private string _plexusVersion = "?";

    public DockerPlexusSystem(RunPaths paths, string plexusDirectory, Subnet plexusDefaultBridge, Subnet park)
    {
        _plexus = new PlexusApiSystem(paths, plexusDirectory, plexusDefaultBridge, "docker-plexus-plexusd", pluginSocket: PluginSocket);
        _docker = new DockerSystem(paths, plexusDefaultBridge, park, DockerNetworking.Plexus);
    }

    public string Name => DockerNetworking.Plexus.SystemName;

    public string Description => $"{_docker.Description}; plexusd {_plexusVersion} (NativeAOT build, nftables firewall) serving the plugin at {PluginSocket}";

    public string? NetworkCreateUnsupported => null;
    public string? PortsUnsupported => null;

    public void Start()
    {
        if (File.Exists(PluginSocket)) throw new NotAvailableException($"{PluginSocket} exists already (another plexusd of this run?)");
        _plexus.Start();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(PluginSocket))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
                throw new NotAvailableException($"plexusd answers on its API but serves no plugin socket at {PluginSocket}");
            Thread.Sleep(100);
        }
        using (var api = new UnixHttp(_plexus.SocketPath, TimeSpan.FromSeconds(30)))
            _plexusVersion = api.Get("/version")?["Version"]?.GetValue<string>() ?? "?";
        _docker.Start();
    }

    public void CreateNetwork(string network, Subnet subnet) => _docker.CreateNetwork(network, subnet);

    public void DeleteNetwork(string network) => _docker.DeleteNetwork(network);

    public void CreateSandbox(string sandbox) => _docker.CreateSandbox(sandbox);

    public void Attach(string network, string sandbox) => _docker.Attach(network, sandbox);

    public void AttachUntimed(string network, string sandbox) => _docker.AttachUntimed(network, sandbox);

    public void Detach(string network, string sandbox) => _docker.Detach(network, sandbox);

    public void DetachUntimed(string network, string sandbox) => _docker.DetachUntimed(network, sandbox);

    public void AttachWithPorts(string network, string sandbox, int firstHostPort, int count) =>
        _docker.AttachWithPorts(network, sandbox, firstHostPort, count);

    public void RemovePortsSandbox(string network, string sandbox) => _docker.RemovePortsSandbox(network, sandbox);

    /// <summary>dockerd and its helpers (containerd, shims), then plexusd: what Docker with Plexus keeps resident.</summary>
    public IReadOnlyList<int> ResidentProcesses() => [.. _docker.ResidentProcesses(), .. _plexus.ResidentProcesses()];

    /// <summary>Docker first (it removes its containers and networks through the plugin), then plexusd.</summary>
    public void Stop()
    {
        try
        {
            _docker.Stop();
        }
        finally
        {
            _plexus.Stop();
        }
    }

    public void Dispose()
    {
        _docker.Dispose();
        _plexus.Dispose();
    }
}
