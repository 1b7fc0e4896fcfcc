using System.CommandLine;
using System.Text.Json;
using Plexus.Client;
using Plexus.Cli.Output;

namespace Plexus.Cli.Commands;

/// <summary>
/// `plexus inspect [-f TEMPLATE] NAME...`: each name as a sandbox (GET /containers/{id}/json) or, when no
/// sandbox has it, as a network, like docker inspect; --type container|network looks in one place only.
/// </summary>
internal sealed class InspectCommand : PlexusCommand
{
    private readonly Argument<string[]> _names = new("NAME") { Description = "Names or ids of sandboxes or networks", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string?> _format = new("--format", "-f") { Description = "Format output: 'json' (default) or a Go template, e.g. '{{.NetworkSettings.IPAddress}}'" };
    private readonly Option<string?> _type = new Option<string?>("--type") { Description = "Only this kind of object: container or network" }.AcceptOnlyFromAmong("container", "network");

    public InspectCommand(CommandServices services)
        : base("inspect", "Display detailed information on sandboxes or networks", services)
    {
        Arguments.Add(_names);
        Options.Add(_format);
        Options.Add(_type);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var output = InspectOutput.Parse(parse.GetValue(_format));
        var type = parse.GetValue(_type);
        using var client = Services.Connect(parse);
        var found = new List<JsonElement>();
        var errors = new List<string>();
        foreach (var name in parse.GetValue(_names) ?? [])
        {
            try
            {
                var item = await FindAsync(client, name, type, cancellationToken);
                if (item is { } element) found.Add(element);
                else errors.Add(type switch
                {
                    "container" => $"Error: No such container: {name}",
                    "network" => $"Error: No such network: {name}",
                    _ => $"Error: No such object: {name}",
                });
            }
            catch (DaemonException e)
            {
                errors.Add(DaemonError(e));
            }
        }
        output.Write(Console, found);
        foreach (var e in errors) Console.Error.WriteLine(e);
        return errors.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>The object, or null when nothing of the asked kinds has that name; other errors propagate.</summary>
    private static async Task<JsonElement?> FindAsync(DaemonClient client, string name, string? type, CancellationToken ct)
    {
        if (type is null or "container")
        {
            try
            {
                return await client.InspectContainerAsync(name, ct);
            }
            catch (DaemonException e) when (e.IsNotFound)
            {
                if (type is not null) return null;
            }
        }
        try
        {
            return await client.InspectNetworkAsync(name, ct);
        }
        catch (DaemonException e) when (e.IsNotFound)
        {
            return null;
        }
    }
}
