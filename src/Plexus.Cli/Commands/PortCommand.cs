using System.CommandLine;
using System.Text.Json;
using Plexus.Api;
using Plexus.Cli.Output;

namespace Plexus.Cli.Commands;

/// <summary>`plexus port NAME [PORT[/PROTO]]`: the sandbox's published ports, "80/tcp -> 0.0.0.0:8080" per line.</summary>
internal sealed class PortCommand : PlexusCommand
{
    private readonly Argument<string> _sandbox = new("SANDBOX") { Description = "Name or id of the sandbox" };
    private readonly Argument<string?> _port = new("PORT") { Description = "Only this container port: PORT[/PROTO]", Arity = ArgumentArity.ZeroOrOne };

    public PortCommand(CommandServices services)
        : base("port", "List port mappings of a sandbox", services)
    {
        Arguments.Add(_sandbox);
        Arguments.Add(_port);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(_sandbox)!;
        var filter = parse.GetValue(_port) is { Length: > 0 } p ? (p.Contains('/', StringComparison.Ordinal) ? p : p + "/tcp") : null;
        if (filter is not null && !int.TryParse(filter.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture, out _))
            throw new UsageException($"invalid port '{parse.GetValue(_port)}': expected PORT or PORT/PROTO, e.g. 80/tcp");
        using var client = Services.Connect(parse);
        var raw = await client.InspectContainerAsync(name, cancellationToken);
        var sandbox = raw.Deserialize(DaemonJson.Default.ContainerInspectJson) ?? new ContainerInspectJson();
        var lines = PortText.Bindings(sandbox.NetworkSettings.Ports, filter);
        if (filter is not null && lines.Count == 0)
        {
            Console.Error.WriteLine($"Error: No public port '{filter}' published for {name}");
            return ExitCodes.Failure;
        }
        foreach (var line in lines) Console.Out.WriteLine(line);
        return ExitCodes.Success;
    }
}
