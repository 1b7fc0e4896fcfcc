namespace Plexus.Bench.Compare.Systems;

/// <summary>
/// Plexus through its CLI: one `plexus` process per operation (the NativeAOT build, so each one pays the native
/// start-up as an installed plexus does), against a plexusd of its own. The N sandboxes already attached are
/// made through the API: only the timed operations go through the CLI.
/// </summary>
internal sealed class PlexusCliSystem(RunPaths paths, string plexusDirectory, Subnet defaultBridge)
    : PlexusApiSystem(paths, plexusDirectory, defaultBridge, "plexus-cli")
{
    private readonly string _cli = Path.Combine(plexusDirectory, "plexus");

    public override string Description =>
        $"`plexus` {Version} (NativeAOT build), one process per operation: `plexus network connect NET SANDBOX`, process start-up included; against its own plexusd";

    private string[] Host => ["-H", "unix://" + SocketPath];

    public override void CreateNetwork(string network, Subnet subnet)
    {
        Cli([.. Host, "network", "create", "--subnet", subnet.Cidr, network]);
        TrackNetwork(network, exists: true);
    }

    public override void DeleteNetwork(string network)
    {
        Cli([.. Host, "network", "rm", network]);
        TrackNetwork(network, exists: false);
    }

    public override void Attach(string network, string sandbox) => Cli([.. Host, "network", "connect", network, sandbox]);

    public override void Detach(string network, string sandbox) => Cli([.. Host, "network", "disconnect", network, sandbox]);

    public override void AttachWithPorts(string network, string sandbox, int firstHostPort, int count)
    {
        string[] ports = count > 0 ? ["-p", PortRange(firstHostPort, count)] : [];
        Cli([.. Host, "create", "--name", sandbox, "--network", network, .. ports]);
        TrackSandbox(sandbox);
    }

    private void Cli(string[] args)
    {
        if (!File.Exists(_cli)) throw new NotAvailableException($"{_cli} is missing (bench/compare.sh publishes it)");
        ProcessRunner.Check(_cli, args);
    }
}
