using System.CommandLine;
using System.Text.Json;
using Plexus.Client;
using Plexus.Cli.Output;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network inspect NET...`: the daemon's JSON of each network as one array, or a template per network.</summary>
internal sealed class NetworkInspectCommand : PlexusCommand
{
    private readonly Argument<string[]> _networks = new("NETWORK") { Description = "Names or ids of networks", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string?> _format = new("--format", "-f") { Description = "Format output: 'json' (default) or a Go template, e.g. '{{json .IPAM.Config}}'" };

    public NetworkInspectCommand(CommandServices services)
        : base("inspect", "Display detailed information on one or more networks", services)
    {
        Arguments.Add(_networks);
        Options.Add(_format);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = InspectOutput.Parse(parse.GetValue(_format));
        using var client = Services.Connect(parse);
        var found = new List<JsonElement>();
        var errors = new List<string>();
        foreach (var name in parse.GetValue(_networks) ?? [])
        {
            try
            {
                found.Add(await client.InspectNetworkAsync(name, cancellationToken));
            }
            catch (DaemonException e)
            {
                errors.Add(DaemonError(e));
            }
        }
        // As docker: what was found is printed, then one line per name that was not.
        output.Write(Console, found);
        foreach (var e in errors) Console.Error.WriteLine(e);
        return errors.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }
}
