using Plexus.Api;
using System.CommandLine;
using Plexus.Daemon.Config;
using Plexus.Daemon.Hosting;
using Plexus.Engine.Model;

// plexusd: owns all networking state and serves a Docker-compatible API on a Unix socket.

var host = new Option<string>("--host", "-H") { Description = "Socket to listen on (unix://PATH)" };
var config = new Option<string>("--config-file") { Description = "JSON config file", DefaultValueFactory = _ => DaemonSettings.DefaultConfigFile };
var dataRoot = new Option<string>("--data-root") { Description = "Persistent state (the store)" };
var execRoot = new Option<string>("--exec-root") { Description = "Runtime state: namespaces, sandbox files" };
var backend = new Option<string>("--firewall-backend") { Description = "nftables, iptables or none" };
var icc = new Option<bool?>("--icc") { Description = "Default for inter-container communication on bridge networks" };
var ipMasq = new Option<bool?>("--ip-masq") { Description = "Default for masquerading bridge networks' outbound traffic" };
var bip = new Option<string>("--bip") { Description = "Gateway address and prefix of the default bridge (172.17.0.1/16)" };
var pools = new Option<string[]>("--default-address-pool") { Description = "base=CIDR,size=N; repeatable", AllowMultipleArgumentsPerToken = false };
var dns = new Option<string[]>("--dns") { Description = "Upstream DNS server for sandboxes; repeatable" };
var mtu = new Option<int?>("--mtu") { Description = "Default MTU of bridge networks" };
var logFormat = new Option<string>("--log-format") { Description = "text or json" };
var group = new Option<string>("--group", "-G") { Description = $"Group that may use the socket (default: {DaemonSettings.DefaultGroup}, when it exists)" };
var logLevel = new Option<string>("--log-level", "-l") { Description = "debug, info, warn or error" };
var pluginSocket = new Option<string>("--plugin-socket") { Description = $"Socket for Docker's network and IPAM plugin protocol (default {Plexus.Daemon.Plugin.PluginEndpoints.DefaultSocket}), or none" };

var root = new RootCommand("plexusd: the Plexus container network daemon")
{
    host, config, dataRoot, execRoot, backend, icc, ipMasq, bip, pools, dns, mtu, logFormat, group, pluginSocket, logLevel,
};
root.SetAction(parse =>
{
    try
    {
        var settings = new DaemonSettings();
        var file = parse.GetValue(config)!;
        if (File.Exists(file)) settings = settings.WithFile(file);
        else if (parse.GetResult(config) is { Implicit: false }) throw PlexusException.Invalid($"config file {file} does not exist");
        if (parse.GetValue(host) is { } h) settings = settings with { Host = h };
        if (parse.GetValue(dataRoot) is { } d) settings = settings with { DataRoot = d };
        if (parse.GetValue(execRoot) is { } e) settings = settings with { ExecRoot = e };
        if (parse.GetValue(backend) is { } b) settings = settings with { FirewallBackend = DaemonSettings.Backend(b) };
        if (parse.GetValue(icc) is { } i) settings = settings with { Icc = i };
        if (parse.GetValue(ipMasq) is { } m) settings = settings with { IPMasquerade = m };
        if (parse.GetValue(bip) is { } bp) settings = settings with { Bip = DaemonSettings.BridgeIP(bp) };
        if (parse.GetValue(pools) is { Length: > 0 } ps) settings = settings with { DefaultAddressPools = ps.Select(DaemonSettings.ParsePool).ToList() };
        if (parse.GetValue(dns) is { Length: > 0 } ds) settings = settings with { Dns = ds.Select(DaemonSettings.Dns1).ToList() };
        if (parse.GetValue(mtu) is { } mt) settings = settings with { Mtu = DaemonSettings.Mtu1(mt) };
        if (parse.GetValue(logFormat) is { } lf) settings = settings with { LogFormat = DaemonSettings.LogFormat1(lf) };
        if (parse.GetValue(group) is { } g) settings = settings with { Group = g, GroupExplicit = true };
        if (parse.GetValue(logLevel) is { } ll) settings = settings with { LogLevel = DaemonSettings.LogLevel1(ll) };
        if (parse.GetValue(pluginSocket) is { } ps2) settings = settings with { PluginSocket = DaemonSettings.PluginSocketOf(ps2) };
        return Daemon.Run(settings);
    }
    catch (PlexusException e)
    {
        Console.Error.WriteLine($"plexusd: {e.Message}");
        return 1;
    }
});
return root.Parse(args).Invoke();
