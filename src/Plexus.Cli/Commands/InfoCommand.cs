using System.CommandLine;
using System.Text.Json;
using Plexus.Api;
using Plexus.Cli.Templates;

namespace Plexus.Cli.Commands;

/// <summary>`plexus info`: the daemon's version, firewall backend, counts, and which kernel features it found.</summary>
internal sealed class InfoCommand : PlexusCommand
{
    private readonly Option<string?> _format = new("--format", "-f") { Description = "Format output with a Go template over the daemon's /info, e.g. '{{json .KernelFeatures}}'" };

    public InfoCommand(CommandServices services)
        : base("info", "Display information about the daemon and the kernel", services)
    {
        Options.Add(_format);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var format = parse.GetValue(_format) is { Length: > 0 } f && f.Trim() != "json" ? GoTemplate.Parse(f) : null;
        bool json = parse.GetValue(_format)?.Trim() == "json";
        var host = Services.Host(parse);
        using var client = Services.Connect(parse);
        var raw = await client.InfoAsync(cancellationToken);
        if (format is not null || json)
        {
            Console.Out.WriteLine(format is not null ? format.Execute(raw) : GoValues.ToJson(GoValues.FromJson(raw)));
            return ExitCodes.Success;
        }
        var info = raw.Deserialize(DaemonJson.Default.InfoJson) ?? new InfoJson();
        var networks = await client.ListNetworksAsync(new Dictionary<string, List<string>>(), cancellationToken);
        foreach (var line in Lines(info, networks.Count, host.Uri)) Console.Out.WriteLine(line);
        return ExitCodes.Success;
    }

    /// <summary>docker info's layout: sections, " Key: value", details indented one more space.</summary>
    public static IEnumerable<string> Lines(InfoJson info, int networks, string host)
    {
        yield return "Client:";
        yield return $" Version: {ApiInfo.Version}";
        yield return $" Host: {host}";
        yield return "";
        yield return "Server:";
        yield return $" Sandboxes: {info.Containers}";
        yield return $"  Running: {info.ContainersRunning}";
        yield return $"  Paused: {info.ContainersPaused}";
        yield return $"  Stopped: {info.ContainersStopped}";
        yield return $" Networks: {networks}";
        yield return $" Server Version: {info.ServerVersion}";
        yield return $" Firewall Backend: {(info.FirewallBackend is { Driver.Length: > 0 } f ? f.Driver : "unknown")}";
        yield return $" Driver: {info.Driver}";
        foreach (var pair in info.DriverStatus.Where(p => p.Count == 2 && p[0] != "Firewall Backend"))
            yield return $"  {pair[0]}: {pair[1]}";
        yield return $" Network Plugins: {string.Join(' ', info.Plugins.Network)}";
        yield return $" Kernel Version: {info.KernelVersion}";
        yield return $" Operating System: {info.OperatingSystem}";
        yield return $" OSType: {info.OSType}";
        yield return $" Architecture: {info.Architecture}";
        yield return $" CPUs: {info.NCPU}";
        yield return $" Name: {info.Name}";
        yield return $" ID: {info.ID}";
        yield return $" Plexus Root Dir: {info.DockerRootDir}";
        yield return " Kernel Features:";
        if (info.KernelFeatures.Count == 0) yield return "  (the daemon reported none)";
        int width = info.KernelFeatures.Count == 0 ? 0 : info.KernelFeatures.Keys.Max(k => k.Length);
        foreach (var (feature, present) in info.KernelFeatures.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            yield return $"  {(feature + ":").PadRight(width + 1)} {(present ? "present" : "missing")}";
        var missing = info.KernelFeatures.Where(kv => !kv.Value).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        foreach (var warning in info.Warnings) yield return $"WARNING: {warning}";
        if (missing.Count > 0) yield return $"WARNING: kernel features missing: {string.Join(", ", missing)}";
    }
}
