using System.CommandLine;
using Plexus.Api;
using Plexus.Cli.Arguments;
using Plexus.Cli.Output;

namespace Plexus.Cli.Commands;

/// <summary>`plexus ps [-a] [-q] [--format json]`: the sandboxes (GET /containers/json) with their networks, addresses and ports.</summary>
internal sealed class PsCommand : PlexusCommand
{
    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["ID"] = "CONTAINER ID",
        ["Names"] = "NAME",
        ["Networks"] = "NETWORKS",
        ["IP"] = "IP",
        ["Ports"] = "PORTS",
        ["Status"] = "STATUS",
        ["State"] = "STATE",
        ["Command"] = "COMMAND",
        ["CreatedAt"] = "CREATED AT",
        ["Labels"] = "LABELS",
        ["Image"] = "IMAGE",
    };

    private static readonly string[] Columns = ["ID", "Names", "Networks", "IP", "Ports", "Status"];

    private readonly Option<bool> _all = Opt.Flag("--all", "Show all sandboxes (default shows just running)", "-a");
    private readonly Option<bool> _quiet = Opt.Flag("--quiet", "Only display sandbox IDs", "-q");
    private readonly Option<bool> _noTrunc = Opt.Flag("--no-trunc", "Do not truncate the output");
    private readonly Option<string[]> _filter = Opt.Repeatable("--filter", "KEY=VALUE filter: name, id, network, label, status (repeatable)", "-f");
    private readonly Option<string?> _format = Opt.Format("the fields ID, Names, Networks, IP, Ports, Status, State, Command, CreatedAt, Labels, Image");

    public PsCommand(CommandServices services)
        : base("ps", "List sandboxes", services)
    {
        Options.Add(_all);
        Options.Add(_quiet);
        Options.Add(_noTrunc);
        Options.Add(_filter);
        Options.Add(_format);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var filters = KeyValues.Filters(parse.Values(_filter));
        var format = ListFormat.Parse(parse.GetValue(_format));
        bool noTrunc = parse.GetValue(_noTrunc);
        using var client = Services.Connect(parse);
        var sandboxes = await client.ListContainersAsync(parse.GetValue(_all), filters, cancellationToken);
        if (parse.GetValue(_quiet))
        {
            foreach (var s in sandboxes) Console.Out.WriteLine(Ids.Show(s.Id, noTrunc));
            return ExitCodes.Success;
        }
        format.Write(Console, sandboxes.Select(s => Row(s, noTrunc)).ToList(), Columns, Headers);
        return ExitCodes.Success;
    }

    /// <summary>A sandbox as docker's container formatting context: strings, networks sorted by name.</summary>
    public static OrderedDictionary<string, object?> Row(ContainerSummaryJson s, bool noTrunc)
    {
        var networks = s.NetworkSettings.Networks.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var command = s.Command.Length == 0 ? "" : $"\"{(noTrunc || s.Command.Length <= 20 ? s.Command : s.Command[..19] + "…")}\"";
        return new OrderedDictionary<string, object?>
        {
            ["ID"] = Ids.Show(s.Id, noTrunc),
            ["Names"] = string.Join(',', s.Names.Select(n => n.TrimStart('/'))),
            ["Networks"] = string.Join(',', networks.Select(kv => kv.Key)),
            ["IP"] = string.Join(',', networks.Select(kv => kv.Value.IPAddress).Where(ip => !string.IsNullOrEmpty(ip))),
            ["Ports"] = PortText.Summary(s.Ports),
            ["Status"] = s.Status,
            ["State"] = s.State,
            ["Command"] = command,
            ["CreatedAt"] = NetworkListCommand.GoTime(DateTimeOffset.FromUnixTimeSeconds(s.Created)),
            ["Labels"] = string.Join(',', s.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")),
            ["Image"] = s.Image,
        };
    }
}
