using System.CommandLine;
using System.Globalization;
using Plexus.Api;
using Plexus.Cli.Arguments;
using Plexus.Cli.Output;

namespace Plexus.Cli.Commands;

/// <summary>`plexus network ls`: GET /networks, sorted by name, as docker's table, ids, JSON lines or a template.</summary>
internal sealed class NetworkListCommand : PlexusCommand
{
    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["ID"] = "NETWORK ID",
        ["Name"] = "NAME",
        ["Driver"] = "DRIVER",
        ["Scope"] = "SCOPE",
        ["IPv4"] = "IPV4",
        ["IPv6"] = "IPV6",
        ["Internal"] = "INTERNAL",
        ["Labels"] = "LABELS",
        ["CreatedAt"] = "CREATED AT",
    };

    private static readonly string[] Columns = ["ID", "Name", "Driver", "Scope"];

    private readonly Option<string[]> _filter = Opt.Repeatable("--filter", "KEY=VALUE filter: name, id, driver, label, type (builtin|custom), dangling, scope (repeatable)", "-f");
    private readonly Option<bool> _quiet = Opt.Flag("--quiet", "Only display network IDs", "-q");
    private readonly Option<bool> _noTrunc = Opt.Flag("--no-trunc", "Do not truncate the output");
    private readonly Option<string?> _format = Opt.Format("the fields ID, Name, Driver, Scope, IPv4, IPv6, Internal, Labels, CreatedAt");

    public NetworkListCommand(CommandServices services)
        : base("ls", "List networks", services)
    {
        Aliases.Add("list");
        Options.Add(_filter);
        Options.Add(_quiet);
        Options.Add(_noTrunc);
        Options.Add(_format);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var filters = KeyValues.Filters(parse.Values(_filter));
        var format = ListFormat.Parse(parse.GetValue(_format));
        bool noTrunc = parse.GetValue(_noTrunc);
        using var client = Services.Connect(parse);
        var networks = (await client.ListNetworksAsync(filters, cancellationToken)).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        if (parse.GetValue(_quiet))
        {
            foreach (var n in networks) Console.Out.WriteLine(Ids.Show(n.Id, noTrunc));
            return ExitCodes.Success;
        }
        format.Write(Console, networks.Select(n => Row(n, noTrunc)).ToList(), Columns, Headers);
        return ExitCodes.Success;
    }

    /// <summary>A network as docker's network formatting context: every field a string.</summary>
    public static OrderedDictionary<string, object?> Row(NetworkJson n, bool noTrunc) => new()
    {
        ["ID"] = Ids.Show(n.Id, noTrunc),
        ["Name"] = n.Name,
        ["Driver"] = n.Driver,
        ["Scope"] = n.Scope,
        ["IPv4"] = n.EnableIPv4 ? "true" : "false",
        ["IPv6"] = n.EnableIPv6 ? "true" : "false",
        ["Internal"] = n.Internal ? "true" : "false",
        ["Labels"] = string.Join(',', n.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")),
        ["CreatedAt"] = GoTime(n.Created),
    };

    /// <summary>Go's time.Time String(), as docker prints CreatedAt.</summary>
    internal static string GoTime(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy'-'MM'-'dd HH':'mm':'ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + " +0000 UTC";
}
