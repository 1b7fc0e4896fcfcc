using System.Runtime.InteropServices;

namespace Plexus.Api;

public sealed record VersionJson
{
    public string Platform { get; init; } = "Plexus";
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
    public string Architecture { get; init; } = RuntimeInformation.OSArchitecture.ToString();
    public int NCPU { get; init; } = Environment.ProcessorCount;
    public string DockerRootDir { get; init; } = "";
    public PluginsJson Plugins { get; init; } = new();
    public List<List<string>> DriverStatus { get; init; } = [];
    public List<string> Warnings { get; init; } = [];
    public string FirewallBackend { get; init; } = "";
    public Dictionary<string, bool> KernelFeatures { get; init; } = [];
}

public static class ApiInfo
{
    public const string Version = "0.1.0";
    public const string ApiVersion = "1.45";
    public const string MinApiVersion = "1.24";

    public static string KernelVersion { get; } = ReadKernelVersion();

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
