using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace Plexus.Api;

/// <summary>GET /version, as Docker's types.Version: Platform is an object, the engine is the one component.</summary>
public sealed record VersionJson
{
    public PlatformJson Platform { get; init; } = new();
    public List<ComponentVersionJson> Components { get; init; } = [ComponentVersionJson.Engine()];
    public string Version { get; init; } = ApiInfo.Version;
    public string ApiVersion { get; init; } = ApiInfo.ApiVersion;
    public string MinAPIVersion { get; init; } = ApiInfo.MinApiVersion;
    public string GitCommit { get; init; } = "";
    public string GoVersion { get; init; } = RuntimeInformation.FrameworkDescription;
    public string Os { get; init; } = "linux";
    public string Arch { get; init; } = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";
    public string KernelVersion { get; init; } = ApiInfo.KernelVersion;
    public string BuildTime { get; init; } = "";
}

public sealed record PlatformJson
{
    public string Name { get; init; } = "Plexus";
}

public sealed record ComponentVersionJson
{
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public Dictionary<string, string>? Details { get; init; }

    public static ComponentVersionJson Engine() => new()
    {
        Name = "Engine",
        Version = ApiInfo.Version,
        Details = new Dictionary<string, string>
        {
            ["ApiVersion"] = ApiInfo.ApiVersion,
            ["MinAPIVersion"] = ApiInfo.MinApiVersion,
            ["Os"] = "linux",
            ["Arch"] = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64",
            ["KernelVersion"] = ApiInfo.KernelVersion,
            ["GoVersion"] = RuntimeInformation.FrameworkDescription,
            ["GitCommit"] = "",
            ["BuildTime"] = "",
            ["Experimental"] = "false",
        },
    };
}

public sealed record PluginsJson
{
    public List<string> Volume { get; init; } = [];
    public List<string> Network { get; init; } = ["bridge", "host", "null"];
    public List<string> Authorization { get; init; } = [];
    public List<string> Log { get; init; } = [];
}

public sealed record InfoJson
{
    public string ID { get; init; } = "";
    public int Containers { get; init; }
    public int ContainersRunning { get; init; }
    public int ContainersPaused { get; init; }
    public int ContainersStopped { get; init; }
    public int Images { get; init; }
    public string Driver { get; init; } = "plexus";
    public string Name { get; init; } = Environment.MachineName;
    public string ServerVersion { get; init; } = ApiInfo.Version;
    public string OperatingSystem { get; init; } = "linux";
    public string OSType { get; init; } = "linux";
    public string KernelVersion { get; init; } = ApiInfo.KernelVersion;
    public string Architecture { get; init; } = RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "aarch64" : "x86_64";
    public int NCPU { get; init; } = Environment.ProcessorCount;
    public long MemTotal { get; init; } = ApiInfo.MemTotal;
    public string DockerRootDir { get; init; } = "";
    public PluginsJson Plugins { get; init; } = new();
    public List<List<string>> DriverStatus { get; init; } = [];
    public List<string> Warnings { get; init; } = [];
    /// <summary>Docker's FirewallInfo: the backend's name and label/value pairs about it.</summary>
    public FirewallInfoJson? FirewallBackend { get; init; }

    public SwarmInfoJson Swarm { get; init; } = new();

    /// <summary>dockerd's --cluster-store (etcd://HOST:PORT,...), absent on a single host.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ClusterStore { get; init; }

    /// <summary>dockerd's --cluster-advertise: the address this host registered with, absent on a single host.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ClusterAdvertise { get; init; }

    public Dictionary<string, bool> KernelFeatures { get; init; } = [];
}

public sealed record FirewallInfoJson
{
    public string Driver { get; init; } = "";
    public List<List<string>>? Info { get; init; }
}

/// <summary>A network daemon is never part of a swarm: `docker info` shows "Swarm: inactive".</summary>
public sealed record SwarmInfoJson
{
    public string NodeID { get; init; } = "";
    public string NodeAddr { get; init; } = "";
    public string LocalNodeState { get; init; } = "inactive";
    public bool ControlAvailable { get; init; }
    public string Error { get; init; } = "";
    public List<object>? RemoteManagers { get; init; }
}

/// <summary>GET /system/df: a network daemon has no images, volumes or build cache; its sandboxes are the containers.</summary>
public sealed record DiskUsageJson
{
    public long LayersSize { get; init; }
    public List<ImageSummaryJson>? Images { get; init; }
    public List<ContainerSummaryJson>? Containers { get; init; }
    public List<object>? Volumes { get; init; }
    public List<object>? BuildCache { get; init; }
}

/// <summary>An image in GET /images/json; the list is always empty here, the type only gives it a shape.</summary>
public sealed record ImageSummaryJson
{
    public string Id { get; init; } = "";
    public List<string> RepoTags { get; init; } = [];
    public long Created { get; init; }
    public long Size { get; init; }
}

/// <summary>GET /volumes.</summary>
public sealed record VolumeListJson
{
    public List<object> Volumes { get; init; } = [];
    public List<string>? Warnings { get; init; }
}

public static class ApiInfo
{
    public const string Version = "0.1.0";
    public const string ApiVersion = "1.45";
    public const string MinApiVersion = "1.24";

    public static string KernelVersion { get; } = ReadKernelVersion();

    /// <summary>Bytes of memory the machine has (/proc/meminfo), as docker info shows it.</summary>
    public static long MemTotal { get; } = ReadMemTotal();

    private static long ReadMemTotal()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
                var kb = line["MemTotal:".Length..].Trim().Split(' ')[0];
                return long.TryParse(kb, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n * 1024 : 0;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private static string ReadKernelVersion()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}

/// <summary>One event of GET /events, as Docker's events.Message (with the older status/id/from of container events).</summary>
public sealed record EventMessageJson
{
    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonPropertyName("from")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? From { get; init; }

    public string Type { get; init; } = "";
    public string Action { get; init; } = "";
    public EventActorJson Actor { get; init; } = new();

    [JsonPropertyName("scope")]
    public string Scope { get; init; } = "local";

    [JsonPropertyName("time")]
    public long Time { get; init; }

    [JsonPropertyName("timeNano")]
    public long TimeNano { get; init; }
}

public sealed record EventActorJson
{
    public string ID { get; init; } = "";
    public Dictionary<string, string> Attributes { get; init; } = [];
}
