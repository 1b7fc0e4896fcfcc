using System.CommandLine;
using Plexus.Api;
using Plexus.Cli.Arguments;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network create`: docker's flags into POST /networks/create; prints the new network's id.</summary>
internal sealed class NetworkCreateCommand : PlexusCommand
{
    private readonly Argument<string> _name = new("NETWORK") { Description = "Name of the network" };
    private readonly Option<string?> _driver = Opt.Value("--driver", "Driver to manage the network: bridge (default), macvlan, ipvlan, null or host", "-d");
    private readonly Option<string[]> _subnet = Opt.Repeatable("--subnet", "Subnet in CIDR format, e.g. 172.18.0.0/16 (repeatable)");
    private readonly Option<string[]> _gateway = Opt.Repeatable("--gateway", "Gateway of a subnet (repeatable, one per subnet)");
    private readonly Option<string[]> _ipRange = Opt.Repeatable("--ip-range", "Allocate addresses from this range of a subnet (repeatable, one per subnet)");
    private readonly Option<string[]> _auxAddress = Opt.Repeatable("--aux-address", "NAME=IP the allocator must not hand out (repeatable)");
    private readonly Option<bool> _internal = Opt.Flag("--internal", "Restrict external access to the network");
    private readonly Option<bool> _ipv6 = Opt.Flag("--ipv6", "Enable IPv6 networking");
    private readonly Option<string[]> _opt = Opt.Repeatable("--opt", "KEY=VALUE driver option, e.g. com.docker.network.bridge.name=br-web (repeatable)", "-o");
    private readonly Option<string[]> _label = Opt.Repeatable("--label", "KEY=VALUE label (repeatable)");
    private readonly Option<string?> _ipamDriver = Opt.Value("--ipam-driver", "IP address management driver (default)");
    private readonly Option<string[]> _ipamOpt = Opt.Repeatable("--ipam-opt", "KEY=VALUE option of the IPAM driver (repeatable)");

    public NetworkCreateCommand(CommandServices services)
        : base("create", "Create a network", services)
    {
        Arguments.Add(_name);
        Options.Add(_driver);
        Options.Add(_subnet);
        Options.Add(_gateway);
        Options.Add(_ipRange);
        Options.Add(_auxAddress);
        Options.Add(_internal);
        Options.Add(_ipv6);
        Options.Add(_opt);
        Options.Add(_label);
        Options.Add(_ipamDriver);
        Options.Add(_ipamOpt);
    }

    /// <exception cref="UsageException">A flag's value is wrong (a subnet that does not parse, a gateway outside every subnet, ...).</exception>
    public NetworkCreateJson BuildRequest(ParseResult parse) => new()
    {
        Name = parse.GetValue(_name),
        Driver = parse.GetValue(_driver) is { Length: > 0 } driver ? driver : "bridge",
        Internal = parse.Given(_internal),
        EnableIPv6 = parse.Given(_ipv6),
        IPAM = new IpamJson
        {
            Driver = parse.GetValue(_ipamDriver) is { Length: > 0 } ipam ? ipam : "default",
            Options = KeyValues.ToMap(parse.Values(_ipamOpt), "--ipam-opt", valueOptional: true),
            Config = IpamArguments.Consolidate(parse.Values(_subnet), parse.Values(_ipRange), parse.Values(_gateway), parse.Values(_auxAddress)),
        },
        Options = KeyValues.ToMap(parse.Values(_opt), "--opt", valueOptional: true),
        Labels = KeyValues.ToMap(parse.Values(_label), "--label", valueOptional: true),
    };

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = BuildRequest(parse);
        using var client = Services.Connect(parse);
        var created = await client.CreateNetworkAsync(request, cancellationToken);
        if (!string.IsNullOrEmpty(created.Warning)) Console.Error.WriteLine($"WARNING: {created.Warning}");
        Console.Out.WriteLine(created.Id);
        return ExitCodes.Success;
    }
}
