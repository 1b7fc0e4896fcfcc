namespace Plexus.Cni;

/// <summary>The spec's environment (CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH), checked per command.</summary>
internal sealed record CniEnvironment
{
    public required string Command { get; init; }
    public string ContainerId { get; init; } = "";
    public string Netns { get; init; } = "";
    public string IfName { get; init; } = "";

    /// <summary>CNI_ARGS as KEY=VALUE pairs (IP=, MAC=, IgnoreUnknown=...).</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = new Dictionary<string, string>();

    public static readonly IReadOnlyList<string> Commands = ["ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION"];

    /// <summary>
    /// Reads what <paramref name="command"/> needs, and nothing else: VERSION reads no other variable (podman calls
    /// it with dummy values), STATUS and GC act on the network alone. A missing or bad variable is error 4 naming it.
    /// </summary>
    public static CniEnvironment Read(Func<string, string?> get)
    {
        var command = get("CNI_COMMAND");
        if (string.IsNullOrEmpty(command)) throw new CniError(CniError.InvalidEnvironment, "CNI_COMMAND is not set: expected one of " + string.Join(", ", Commands));
        if (!Commands.Contains(command)) throw new CniError(CniError.InvalidEnvironment, $"CNI_COMMAND={command} is not a CNI command: expected one of {string.Join(", ", Commands)}");
        if (command is "VERSION" or "STATUS" or "GC") return new CniEnvironment { Command = command };
        var environment = new CniEnvironment
        {
            Command = command,
            ContainerId = Required(get, "CNI_CONTAINERID"),
            IfName = Required(get, "CNI_IFNAME"),
            Netns = command == "DEL" ? get("CNI_NETNS") ?? "" : Required(get, "CNI_NETNS"),
            Args = ParseArgs(get("CNI_ARGS")),
        };
        if (!ValidContainerId(environment.ContainerId))
            throw new CniError(CniError.InvalidEnvironment, $"CNI_CONTAINERID={environment.ContainerId} is not a container id: letters, digits, '_', '.' and '-', starting with a letter or digit");
        if (environment.IfName.Length > 15 || environment.IfName is "." or ".." || environment.IfName.IndexOfAny(['/', ':', ' ', '\t', '\n']) >= 0)
            throw new CniError(CniError.InvalidEnvironment, $"CNI_IFNAME={environment.IfName} is not an interface name: at most 15 characters, no '/', ':' or whitespace");
        if (command is "ADD" or "CHECK" && !File.Exists(environment.Netns) && !Directory.Exists(environment.Netns))
            throw new CniError(CniError.InvalidEnvironment, $"CNI_NETNS={environment.Netns}: no such network namespace");
        return environment;
    }

    private static string Required(Func<string, string?> get, string name) =>
        get(name) is { Length: > 0 } value ? value : throw new CniError(CniError.InvalidEnvironment, $"{name} is not set; CNI_COMMAND={get("CNI_COMMAND")} needs it");

    /// <summary>The spec's container id: starts with an alphanumeric, then alphanumerics, '_', '.', '-'.</summary>
    private static bool ValidContainerId(string id) =>
        id.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    /// <summary>"K=V;K2=V2"; an entry without '=' is error 4 naming it.</summary>
    internal static Dictionary<string, string> ParseArgs(string? text)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text)) return args;
        foreach (var pair in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new CniError(CniError.InvalidEnvironment, $"CNI_ARGS: \"{pair}\" is not KEY=VALUE");
            args[pair[..eq]] = pair[(eq + 1)..];
        }
        return args;
    }
}
