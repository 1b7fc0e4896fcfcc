using System.CommandLine;
using Plexus.Api;
using Plexus.Cli.Arguments;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network connect [--ip IP] [--ip6 IP] [--alias A]... NET SANDBOX`: POST /networks/{net}/connect.</summary>
internal sealed class NetworkConnectCommand : PlexusCommand
{
    private readonly Argument<string> _network = new("NETWORK") { Description = "Name or id of the network" };
    private readonly Argument<string> _container = new("SANDBOX") { Description = "Name or id of the sandbox (container)" };
    private readonly Option<string?> _ip = Opt.Value("--ip", "IPv4 address, e.g. 172.30.100.104");
    private readonly Option<string?> _ip6 = Opt.Value("--ip6", "IPv6 address, e.g. 2001:db8::33");
    private readonly Option<string[]> _alias = Opt.Repeatable("--alias", "Network-scoped alias (repeatable)");
    private readonly Option<string?> _mac = Opt.Value("--mac-address", "MAC address of the sandbox's interface on this network");
    private readonly Option<string[]> _driverOpt = Opt.Repeatable("--driver-opt", "KEY=VALUE driver option of the endpoint (repeatable)");
    private readonly Option<int?> _gwPriority = new("--gw-priority") { Description = "Highest priority network gives the default gateway" };

    public NetworkConnectCommand(CommandServices services)
        : base("connect", "Connect a sandbox to a network", services)
    {
        Arguments.Add(_network);
        Arguments.Add(_container);
        Options.Add(_ip);
        Options.Add(_ip6);
        Options.Add(_alias);
        Options.Add(_mac);
        Options.Add(_driverOpt);
        Options.Add(_gwPriority);
    }

    public (string Network, NetworkConnectJson Body) BuildRequest(ParseResult parse)
    {
        var ip = parse.GetValue(_ip);
        var ip6 = parse.GetValue(_ip6);
        var aliases = parse.Values(_alias);
        return (parse.GetValue(_network)!, new NetworkConnectJson
        {
            Container = parse.GetValue(_container),
            EndpointConfig = new EndpointSettingsJson
            {
                IPAMConfig = ip is null && ip6 is null ? null : new EndpointIpamConfigJson { IPv4Address = ip, IPv6Address = ip6 },
                Aliases = aliases.Length == 0 ? null : [.. aliases],
                MacAddress = parse.GetValue(_mac),
                DriverOpts = KeyValues.ToMap(parse.Values(_driverOpt), "--driver-opt"),
                GwPriority = parse.GetValue(_gwPriority),
            },
        });
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var (network, body) = BuildRequest(parse);
        using var client = Services.Connect(parse);
        await client.ConnectAsync(network, body, cancellationToken);
        return ExitCodes.Success;
    }
}
