using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Controller;

/// <summary>
/// Checks a request before anything is stored or written. Names, hostnames, aliases, DNS settings and
/// extra hosts end up as lines of a sandbox's hosts and resolv.conf files, in DNS answers and in the
/// store: a newline or a control character in any of them would write lines the user never asked for,
/// and a value without bound would be kept without bound. Each failure is a 400 that names the field and
/// shows the value (escaped and cut short).
/// </summary>
public static partial class RequestValidation
{
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex ObjectName();

    /// <summary>RFC 1123 section 2.1: letters, digits and hyphens, not at either end of a label.</summary>
    [GeneratedRegex("^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$")]
    private static partial Regex HostLabel();

    /// <summary>Names users give to aliases and extra hosts also carry underscores (compose service names).</summary>
    [GeneratedRegex("^[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?$")]
    private static partial Regex AliasLabel();

    /// <summary>resolv.conf options: words such as ndots:2, edns0, single-request-reopen.</summary>
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.:+-]*$")]
    private static partial Regex DnsOptionWord();

    public static void Check(NetworkCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        NetworkName(request.Name);
        Map(request.Options, "network option (Options, --opt)");
        Map(request.Labels, "network label (Labels, --label)");
        Map(request.IpamOptions, "IPAM option (IPAM.Options, --ipam-opt)");
        List(request.IpamConfigs, "IPAM config (IPAM.Config)");
        foreach (var config in request.IpamConfigs)
        {
            if (config is null) throw PlexusException.Invalid("invalid IPAM config (IPAM.Config): an entry is null");
            const string aux = "auxiliary address (IPAM.Config.AuxiliaryAddresses, --aux-address)";
            if (config.AuxAddresses.Count > RequestLimits.MaxMapEntries)
                throw PlexusException.Invalid($"too many entries in {aux}: {config.AuxAddresses.Count}, at most {RequestLimits.MaxMapEntries} are allowed");
            foreach (var key in config.AuxAddresses.Keys) Text(key, $"{aux} name", RequestLimits.MaxKeyLength);
        }
    }

    public static void Check(SandboxCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectNameOf(request.Name, "sandbox");
        if (request.Hostname is { } hostname) Hostname(hostname);
        EachOf(request.DnsServers, "DNS server (Dns, --dns)", DnsServer);
        EachOf(request.DnsSearch, "DNS search domain (DnsSearch, --dns-search)", DnsSearch);
        EachOf(request.DnsOptions, "DNS option (DnsOptions, --dns-option)", DnsOption);
        EachOf(request.ExtraHosts, "extra host (ExtraHosts, --add-host)", ExtraHost);
        Map(request.Labels, "label (Labels, --label)");
        List(request.Links, "link (Links, --link)");
        foreach (var link in request.Links)
        {
            if (link is null) throw PlexusException.Invalid("invalid link (Links, --link): an entry is null");
            ObjectNameOf(link.Target, "link target (Links, --link)");
            Alias(link.Alias, "link alias (Links, --link)");
        }
        if (request.Pid is { } pid) Pid(pid);
        if (request.NamespacePath is { } path) Path(path, "namespace path (NetnsPath, --netns)");
        EachOf(request.CapAdd, "capability (CapAdd, --cap-add)", c => Text(c, "capability (CapAdd, --cap-add)", RequestLimits.MaxKeyLength));
        EachOf(request.CapDrop, "capability (CapDrop, --cap-drop)", c => Text(c, "capability (CapDrop, --cap-drop)", RequestLimits.MaxKeyLength));
    }

    public static void Check(EndpointCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Name is { } name) ObjectNameOf(name, "endpoint");
        EachOf(request.Aliases, "network alias (Aliases, --network-alias)", a => Alias(a, "network alias (Aliases, --network-alias)"));
        if (request.Mac is { } mac) Mac(mac);
        List(request.ExposedPorts, "exposed port (Expose, --expose)");
        List(request.PublishedPorts, "published port (Publish, -p)");
        if (request.InterfaceName is { } ifname) InterfaceName(ifname);
    }

    /// <summary>A chosen interface name (CNI_IFNAME): one the kernel takes, and never lo.</summary>
    public static void InterfaceName(string name)
    {
        try
        {
            Kernel.Rtnl.InterfaceName.Validate(name);
        }
        catch (ArgumentException e)
        {
            throw PlexusException.Invalid($"invalid interface name {Show(name)}: {e.Message}");
        }
        if (name == "lo") throw PlexusException.Invalid("invalid interface name \"lo\": the loopback interface is the sandbox's own");
    }

    /// <summary>A process's command line: each argument a C string the kernel accepts.</summary>
    public static void Command(IReadOnlyList<string>? command, string what = "command (Cmd)")
    {
        if (command is not { Count: > 0 }) throw PlexusException.Invalid($"invalid {what}: no command given");
        foreach (var argument in command) Argument(argument, what);
    }

    /// <summary>One argument or environment entry: no NUL (it would end the C string), at most MAX_ARG_STRLEN.</summary>
    public static void Argument(string? value, string what)
    {
        if (value is null) throw PlexusException.Invalid($"invalid {what}: an entry is null");
        if (value.Length > RequestLimits.MaxArgumentLength)
            throw PlexusException.Invalid($"invalid {what} {Show(value)}: {value.Length} characters, the kernel takes at most {RequestLimits.MaxArgumentLength} per argument");
        if (value.Contains('\0', StringComparison.Ordinal))
            throw PlexusException.Invalid($"invalid {what} {Show(value)}: it contains a NUL character");
    }

    /// <summary>
    /// Docker takes any network name that is not blank (spaces included): the kernel never sees it. Plexus also
    /// bounds its length and refuses control characters, which no tool prints back faithfully.
    /// </summary>
    public static void NetworkName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw PlexusException.Invalid("invalid name: name is empty");
        Text(name, "network name", RequestLimits.MaxNameLength);
    }

    /// <summary>Network and sandbox names, as Docker allows them, and no longer than a DNS name.</summary>
    public static void ObjectNameOf(string? name, string kind)
    {
        if (string.IsNullOrEmpty(name)) throw PlexusException.Invalid($"invalid {kind} name: a name is required");
        if (name.Length > RequestLimits.MaxNameLength)
            throw PlexusException.Invalid($"invalid {kind} name {Show(name)}: {name.Length} characters, at most {RequestLimits.MaxNameLength} are allowed");
        if (!ObjectName().IsMatch(name))
            throw PlexusException.Invalid($"invalid {kind} name {Show(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }

    /// <summary>
    /// A hostname: RFC 1123 labels (letters, digits, inner hyphens, at most 63 each) and, because it becomes
    /// the sandbox's UTS name, at most the kernel's 64 characters (as Docker refuses longer ones).
    /// </summary>
    public static void Hostname(string hostname)
    {
        const string what = "hostname (Hostname, --hostname)";
        if (hostname.Length == 0) return; // none: the short id, as in Docker
        DnsName(hostname, what, HostLabel(), "letters, digits and inner hyphens");
        if (hostname.Length > RequestLimits.MaxHostnameLength)
            throw PlexusException.Invalid(
                $"invalid {what} {Show(hostname)}: {hostname.Length} characters, the kernel's limit for a hostname is {RequestLimits.MaxHostnameLength} (HOST_NAME_MAX)");
    }

    /// <summary>A network alias or link alias: a DNS name, where underscores are tolerated as Docker users write them.</summary>
    public static void Alias(string? alias, string what)
    {
        if (alias is null) throw PlexusException.Invalid($"invalid {what}: an entry is null");
        DnsName(alias, what, AliasLabel(), "letters, digits, underscores and inner hyphens");
    }

    /// <summary>A DNS server: an IP address, as Docker's --dns takes it.</summary>
    public static void DnsServer(string server)
    {
        if (!IPAddress.TryParse(server, out var ip) || server.Contains('%', StringComparison.Ordinal) || !IsPlainAddress(server))
            throw PlexusException.Invalid($"invalid DNS server (Dns, --dns) {Show(server)}: not an IP address");
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            throw PlexusException.Invalid($"invalid DNS server (Dns, --dns) {Show(server)}: the unspecified address cannot be asked");
    }

    /// <summary>A search domain: an RFC 1123 name, or "." for none (Docker's ValidateDNSSearch).</summary>
    public static void DnsSearch(string domain)
    {
        if (domain == ".") return;
        DnsName(domain.EndsWith('.') ? domain[..^1] : domain, "DNS search domain (DnsSearch, --dns-search)", AliasLabel(), "letters, digits, underscores and inner hyphens");
    }

    /// <summary>A resolv.conf option: one word, so it can add nothing but itself to the file.</summary>
    public static void DnsOption(string option)
    {
        const string what = "DNS option (DnsOptions, --dns-option)";
        Text(option, what, RequestLimits.MaxDnsOptionLength);
        if (!DnsOptionWord().IsMatch(option))
            throw PlexusException.Invalid($"invalid {what} {Show(option)}: expected one word such as ndots:2 or edns0");
    }

    /// <summary>"name:ip" as docker's --add-host (the address may hold colons: IPv6).</summary>
    public static void ExtraHost(string entry)
    {
        const string what = "extra host (ExtraHosts, --add-host)";
        int colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw PlexusException.Invalid($"invalid {what} {Show(entry)}: expected NAME:IP");
        DnsName(entry[..colon], what, AliasLabel(), "letters, digits, underscores and inner hyphens");
        var address = entry[(colon + 1)..];
        if (!IPAddress.TryParse(address, out _) || !IsPlainAddress(address))
            throw PlexusException.Invalid($"invalid {what} {Show(entry)}: {Show(address)} is not an IP address");
    }

    /// <summary>An interface's MAC: unicast and not all zeros (the kernel refuses both, with an obscure error).</summary>
    public static void Mac(MacAddress mac)
    {
        const string what = "MAC address (MacAddress, --mac-address)";
        if (mac.Equals(default(MacAddress)))
            throw PlexusException.Invalid($"invalid {what} {mac}: the all-zero address cannot be an interface's address");
        if (mac.IsMulticast)
            throw PlexusException.Invalid($"invalid {what} {mac}: a {(mac.ToString() == "ff:ff:ff:ff:ff:ff" ? "broadcast" : "multicast")} address (lowest bit of the first byte set) cannot be an interface's address");
    }

    /// <summary>A process to adopt the namespace of: within the kernel's PID range and running now.</summary>
    public static void Pid(int pid)
    {
        const string what = "PID (Pid, --pid)";
        int max = PidMax();
        if (pid <= 0 || pid > max)
            throw PlexusException.Invalid($"invalid {what} {pid.ToString(CultureInfo.InvariantCulture)}: process ids run from 1 to {max.ToString(CultureInfo.InvariantCulture)}");
        if (!Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            throw PlexusException.Invalid($"invalid {what} {pid.ToString(CultureInfo.InvariantCulture)}: no process with this id is running");
    }

    /// <summary>An exec's timeout in seconds: positive and at most <see cref="RequestLimits.MaxExecTimeoutSeconds"/>.</summary>
    public static int ExecTimeout(int? seconds, int fallback)
    {
        int value = seconds ?? fallback;
        if (value <= 0 || value > RequestLimits.MaxExecTimeoutSeconds)
            throw PlexusException.Invalid(
                $"invalid timeout (Timeout, --timeout) {value.ToString(CultureInfo.InvariantCulture)}: expected seconds from 1 to {RequestLimits.MaxExecTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }

    /// <summary>A path: no NUL, at most PATH_MAX.</summary>
    public static void Path(string path, string what)
    {
        if (path.Length > RequestLimits.MaxPathLength)
            throw PlexusException.Invalid($"invalid {what} {Show(path)}: {path.Length} characters, at most {RequestLimits.MaxPathLength} are allowed");
        if (path.Contains('\0', StringComparison.Ordinal))
            throw PlexusException.Invalid($"invalid {what} {Show(path)}: it contains a NUL character");
    }

    /// <summary>A list: no more than <see cref="RequestLimits.MaxListEntries"/> entries.</summary>
    public static void List<T>(IReadOnlyCollection<T>? list, string what)
    {
        if (list is { Count: > RequestLimits.MaxListEntries })
            throw PlexusException.Invalid($"too many entries in {what}: {list.Count}, at most {RequestLimits.MaxListEntries} are allowed");
    }

    /// <summary>Labels and options: bounded in number and size, keys without control characters, no null values.</summary>
    public static void Map(IReadOnlyDictionary<string, string>? map, string what)
    {
        if (map is null) return;
        if (map.Count > RequestLimits.MaxMapEntries)
            throw PlexusException.Invalid($"too many entries in {what}: {map.Count}, at most {RequestLimits.MaxMapEntries} are allowed");
        foreach (var (key, value) in map)
        {
            if (key.Length == 0) throw PlexusException.Invalid($"invalid {what}: a key is empty");
            Text(key, $"{what} key", RequestLimits.MaxKeyLength);
            if (value is null) throw PlexusException.Invalid($"invalid {what} {Show(key)}: its value is null");
            if (value.Length > RequestLimits.MaxValueLength)
                throw PlexusException.Invalid($"invalid {what} {Show(key)}: its value has {value.Length} characters, at most {RequestLimits.MaxValueLength} are allowed");
        }
    }

    /// <summary>Bounded text without control characters (which would end or forge a line of a file).</summary>
    public static void Text(string? value, string what, int maxLength)
    {
        if (value is null) throw PlexusException.Invalid($"invalid {what}: an entry is null");
        if (value.Length > maxLength)
            throw PlexusException.Invalid($"invalid {what} {Show(value)}: {value.Length} characters, at most {maxLength} are allowed");
        foreach (char c in value)
            if (char.IsControl(c))
                throw PlexusException.Invalid($"invalid {what} {Show(value)}: control characters (such as a newline) are not allowed");
    }

    /// <summary>A value as messages show it: quoted, control characters escaped, cut after 64 characters.</summary>
    public static string Show(string? value)
    {
        if (value is null) return "null";
        const int max = 64;
        var sb = new StringBuilder(Math.Min(value.Length, max) + 16).Append('"');
        foreach (char c in value.Length > max ? value[..max] : value)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
        if (value.Length > max) sb.Append("... (").Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
        return sb.ToString();
    }

    private static void EachOf(IReadOnlyList<string>? list, string what, Action<string> check)
    {
        if (list is null) return;
        List(list, what);
        foreach (var item in list)
        {
            if (item is null) throw PlexusException.Invalid($"invalid {what}: an entry is null");
            check(item);
        }
    }

    /// <summary>A dotted name: at most 253 characters, labels of 1 to 63 characters matching <paramref name="label"/>.</summary>
    private static void DnsName(string name, string what, Regex label, string allowed)
    {
        Text(name, what, RequestLimits.MaxNameLength);
        if (name.Length == 0) throw PlexusException.Invalid($"invalid {what}: it is empty");
        foreach (var part in name.Split('.'))
        {
            if (part.Length == 0)
                throw PlexusException.Invalid($"invalid {what} {Show(name)}: it has an empty label (two dots in a row, or a dot at an end)");
            if (part.Length > RequestLimits.MaxLabelLength)
                throw PlexusException.Invalid($"invalid {what} {Show(name)}: the label {Show(part)} has {part.Length} characters, at most {RequestLimits.MaxLabelLength} are allowed (RFC 1123)");
            if (!label.IsMatch(part))
                throw PlexusException.Invalid($"invalid {what} {Show(name)}: labels may hold only {allowed}");
        }
    }

    /// <summary>IPAddress.TryParse also takes "1" or "0x7f.1" or " 10.0.0.1"; a hosts or resolv.conf line needs the plain form.</summary>
    private static bool IsPlainAddress(string text)
    {
        foreach (char c in text)
            if (!(char.IsAsciiHexDigit(c) || c is '.' or ':'))
                return false;
        return text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3;
    }

    private static int PidMax()
    {
        try
        {
            return int.TryParse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture, out var max) && max > 0 ? max : 4194304;
        }
        catch (IOException)
        {
            return 4194304; // PID_MAX_LIMIT
        }
    }
}
