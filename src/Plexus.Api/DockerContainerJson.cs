namespace Plexus.Api;

// Sandboxes shown as Docker containers (the parts of the shapes network tooling reads).

public sealed record PortJson
{
    public string? IP { get; init; }
    public int PrivatePort { get; init; }
    public int? PublicPort { get; init; }
    public string Type { get; init; } = "tcp";
}

public sealed record HostConfigSummaryJson
{
    public string NetworkMode { get; init; } = "default";
}

public sealed record NetworkSettingsSummaryJson
{
    public Dictionary<string, EndpointSettingsJson> Networks { get; init; } = [];
}

public sealed record ContainerSummaryJson
{
    public string Id { get; init; } = "";
    public List<string> Names { get; init; } = [];
    public string Image { get; init; } = "plexus-sandbox";
    public string ImageID { get; init; } = "";
    public string Command { get; init; } = "";
    public long Created { get; init; }
    public List<PortJson> Ports { get; init; } = [];
    public Dictionary<string, string> Labels { get; init; } = [];
    public string State { get; init; } = "running";
    public string Status { get; init; } = "";
    public HostConfigSummaryJson HostConfig { get; init; } = new();
    public NetworkSettingsSummaryJson NetworkSettings { get; init; } = new();
    public List<object> Mounts { get; init; } = [];
}

public sealed record ContainerStateJson
{
    public string Status { get; init; } = "running";
    public bool Running { get; init; }
    public bool Paused { get; init; }
    public bool Restarting { get; init; }
    public bool OOMKilled { get; init; }
    public bool Dead { get; init; }
    public int Pid { get; init; }
    public int ExitCode { get; init; }
    public string Error { get; init; } = "";
    public string StartedAt { get; init; } = "0001-01-01T00:00:00Z";
    public string FinishedAt { get; init; } = "0001-01-01T00:00:00Z";
}

public sealed record PortBindingJson
{
    public string HostIp { get; init; } = "";
    public string HostPort { get; init; } = "";
}

public sealed record HostConfigJson
{
    public string NetworkMode { get; init; } = "default";
    public List<string>? Links { get; init; }
    public Dictionary<string, List<PortBindingJson>> PortBindings { get; init; } = [];
    public List<string> Dns { get; init; } = [];
    public List<string> DnsSearch { get; init; } = [];
    public List<string> DnsOptions { get; init; } = [];
    public List<string>? ExtraHosts { get; init; }
    public List<string>? CapAdd { get; init; }
    public List<string>? CapDrop { get; init; }
    public bool Privileged { get; init; }
}

public sealed record ContainerConfigJson
{
    public string Hostname { get; init; } = "";
    public string Domainname { get; init; } = "";
    public string User { get; init; } = "";
    public List<string> Env { get; init; } = [];
    public List<string>? Cmd { get; init; }
    public string Image { get; init; } = "plexus-sandbox";
    public Dictionary<string, string> Labels { get; init; } = [];
    public Dictionary<string, object> ExposedPorts { get; init; } = [];
}

public sealed record NetworkSettingsJson
{
    public string Bridge { get; init; } = "";
    public string SandboxID { get; init; } = "";
    public string SandboxKey { get; init; } = "";
    public Dictionary<string, List<PortBindingJson>?> Ports { get; init; } = [];
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public string IPv6Gateway { get; init; } = "";
    public string GlobalIPv6Address { get; init; } = "";
    public int GlobalIPv6PrefixLen { get; init; }
    public string MacAddress { get; init; } = "";
    public Dictionary<string, EndpointSettingsJson> Networks { get; init; } = [];
}

public sealed record ContainerInspectJson
{
    public string Id { get; init; } = "";
    public string Created { get; init; } = "";
    public string Path { get; init; } = "";
    public List<string> Args { get; init; } = [];
    public ContainerStateJson State { get; init; } = new();
    public string Image { get; init; } = "plexus-sandbox";
    public string ResolvConfPath { get; init; } = "";
    public string HostnamePath { get; init; } = "";
    public string HostsPath { get; init; } = "";
    public string LogPath { get; init; } = "";
    public string Name { get; init; } = "";
    public int RestartCount { get; init; }
    public string Driver { get; init; } = "plexus";
    public string Platform { get; init; } = "linux";
    public HostConfigJson HostConfig { get; init; } = new();
    public ContainerConfigJson Config { get; init; } = new();
    public NetworkSettingsJson NetworkSettings { get; init; } = new();
    public List<object> Mounts { get; init; } = [];
}

/// <summary>POST /containers/{id}/exec (Docker's ExecOptions).</summary>
public sealed record ExecCreateJson
{
    public string? User { get; init; }
    public bool Privileged { get; init; }
    public bool Tty { get; init; }
    public List<int>? ConsoleSize { get; init; }
    public bool AttachStdin { get; init; }
    public bool AttachStderr { get; init; }
    public bool AttachStdout { get; init; }
    public bool Detach { get; init; }
    public string? DetachKeys { get; init; }
    public List<string>? Env { get; init; }
    public string? WorkingDir { get; init; }
    public List<string>? Cmd { get; init; }
}

/// <summary>Docker's IDResponse: {"Id": "..."}.</summary>
public sealed record IdResponseJson(string Id);

/// <summary>POST /exec/{id}/start (Docker's ExecStartOptions).</summary>
public sealed record ExecStartJson
{
    public bool Detach { get; init; }
    public bool Tty { get; init; }
    public List<int>? ConsoleSize { get; init; }
}

/// <summary>GET /exec/{id}/json (Docker's ExecInspect): ExitCode is null until the command has ended.</summary>
public sealed record ExecInspectJson
{
    public string ID { get; init; } = "";
    public bool Running { get; init; }
    public int? ExitCode { get; init; }
    public ExecProcessConfigJson ProcessConfig { get; init; } = new();
    public bool OpenStdin { get; init; }
    public bool OpenStderr { get; init; }
    public bool OpenStdout { get; init; }
    public bool CanRemove { get; init; }
    public string ContainerID { get; init; } = "";
    public string? DetachKeys { get; init; }
    public int Pid { get; init; }
}

public sealed record ExecProcessConfigJson
{
    [System.Text.Json.Serialization.JsonPropertyName("tty")]
    public bool Tty { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("entrypoint")]
    public string Entrypoint { get; init; } = "";

    [System.Text.Json.Serialization.JsonPropertyName("arguments")]
    public List<string> Arguments { get; init; } = [];

    [System.Text.Json.Serialization.JsonPropertyName("privileged")]
    public bool Privileged { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("user")]
    public string User { get; init; } = "";
}
