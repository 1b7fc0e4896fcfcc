using System.CommandLine;
using Plexus.Api;
using Plexus.Cli.Arguments;

namespace Plexus.Cli.Commands;

/// <summary>The flags `run` and `create` share (docker run's network flags), and their SandboxCreateJson.</summary>
internal sealed class SandboxOptions
{
    private readonly Option<string?> _name = new("--name") { Description = "Name of the sandbox", Required = true };
    private readonly Option<string?> _network = Opt.Value("--network", "Connect to this network (a name or id, host or none)", "--net");
    private readonly Option<string[]> _publish = Opt.Repeatable("--publish", "Publish a port: [HOST_IP:]HOST_PORT[-END]:PORT[-END][/PROTO] (repeatable)", "-p");
    private readonly Option<string[]> _expose = Opt.Repeatable("--expose", "Expose a port or range: PORT[-END][/PROTO] (repeatable)");
    private readonly Option<string[]> _link = Opt.Repeatable("--link", "Link to another sandbox: NAME[:ALIAS] (repeatable)");
    private readonly Option<string?> _ip = Opt.Value("--ip", "IPv4 address on the network, e.g. 172.30.100.104");
    private readonly Option<string?> _ip6 = Opt.Value("--ip6", "IPv6 address on the network, e.g. 2001:db8::33");
    private readonly Option<string[]> _dns = Opt.Repeatable("--dns", "DNS server for resolv.conf (repeatable)");
    private readonly Option<string[]> _dnsSearch = Opt.Repeatable("--dns-search", "DNS search domain (repeatable)");
    private readonly Option<string[]> _dnsOption = Opt.Repeatable("--dns-option", "DNS option, e.g. ndots:2 (repeatable)", "--dns-opt");
    private readonly Option<string[]> _addHost = Opt.Repeatable("--add-host", "HOST:IP line for /etc/hosts (repeatable)");
    private readonly Option<string?> _hostname = Opt.Value("--hostname", "Host name of the sandbox");
    private readonly Option<string[]> _alias = Opt.Repeatable("--network-alias", "Network-scoped alias (repeatable)", "--net-alias");
    private readonly Option<string?> _mac = Opt.Value("--mac-address", "MAC address of the sandbox's interface, e.g. 92:d0:c6:0a:29:33");
    private readonly Option<string[]> _env = Opt.Repeatable("--env", "NAME=VALUE in the process's environment; NAME alone takes this shell's value (repeatable)", "-e");
    private readonly Option<string[]> _label = Opt.Repeatable("--label", "KEY=VALUE label (repeatable)", "-l");
    private readonly Option<string[]> _capAdd = Opt.Repeatable("--cap-add", "Add a Linux capability to the default set, e.g. NET_ADMIN, or ALL (repeatable)");
    private readonly Option<string[]> _capDrop = Opt.Repeatable("--cap-drop", "Drop a Linux capability from the default set, e.g. NET_RAW, or ALL (repeatable)");
    private readonly Option<bool> _privileged = Opt.Flag("--privileged", "Give processes every capability, no no_new_privs, and the daemon's paths visible");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _name, _network, _publish, _expose, _link, _ip, _ip6, _dns, _dnsSearch, _dnsOption, _addHost, _hostname, _alias, _mac, _env, _label, _capAdd, _capDrop, _privileged })
            command.Options.Add(option);
    }

    /// <summary>The request from these flags; `-e NAME` takes NAME's value from <paramref name="environment"/> (or is left out, as docker does).</summary>
    public SandboxCreateJson Build(ParseResult parse, Func<string, string?> environment) => new()
    {
        Name = parse.GetValue(_name),
        Network = parse.GetValue(_network),
        IPv4Address = parse.GetValue(_ip),
        IPv6Address = parse.GetValue(_ip6),
        MacAddress = parse.GetValue(_mac),
        Aliases = NullIfEmpty(parse.Values(_alias)),
        Publish = NullIfEmpty(parse.Values(_publish)),
        Expose = NullIfEmpty(parse.Values(_expose)),
        Links = NullIfEmpty(parse.Values(_link)),
        Hostname = parse.GetValue(_hostname),
        Dns = NullIfEmpty(parse.Values(_dns)),
        DnsSearch = NullIfEmpty(parse.Values(_dnsSearch)),
        DnsOptions = NullIfEmpty(parse.Values(_dnsOption)),
        ExtraHosts = NullIfEmpty(parse.Values(_addHost)),
        Labels = KeyValues.ToMap(parse.Values(_label), "--label", valueOptional: true),
        Env = NullIfEmpty(Environment(parse.Values(_env), environment)),
        CapAdd = NullIfEmpty(parse.Values(_capAdd)),
        CapDrop = NullIfEmpty(parse.Values(_capDrop)),
        Privileged = parse.GetValue(_privileged) ? true : null,
    };

    private static List<string> Environment(IEnumerable<string> items, Func<string, string?> environment)
    {
        var result = new List<string>();
        foreach (var item in items)
        {
            if (item.Length == 0 || item[0] == '=') throw new UsageException($"invalid environment variable '{item}': expected NAME=VALUE or NAME");
            if (item.Contains('=', StringComparison.Ordinal)) result.Add(item);
            else if (environment(item) is { } value) result.Add($"{item}={value}");
        }
        return result;
    }

    private static List<string>? NullIfEmpty(IReadOnlyCollection<string> items) => items.Count == 0 ? null : [.. items];
}
