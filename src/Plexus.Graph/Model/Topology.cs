namespace Plexus.Graph.Model;

/// <summary>
/// What the picture shows: networks, the sandboxes on them with their interfaces, published ports and
/// links, and the hosts they live on. A snapshot made for one drawing; plain values (strings as they are
/// printed), so writers need nothing but this and tests can build one by hand.
/// </summary>
public sealed record Topology
{
    /// <summary>
    /// Every host that holds a sandbox of the picture. Today one (the daemon's own); global networks
    /// (the overlay) will list each host their endpoints live on. Writers draw hosts only when there are
    /// several.
    /// </summary>
    public IReadOnlyList<TopologyHost> Hosts { get; init; } = [];

    public IReadOnlyList<TopologyNetwork> Networks { get; init; } = [];

    public IReadOnlyList<TopologySandbox> Sandboxes { get; init; } = [];

    /// <summary>Legacy links (--link name:alias) between sandboxes of the picture.</summary>
    public IReadOnlyList<TopologyLink> Links { get; init; } = [];

    /// <summary>True when the picture groups sandboxes by host.</summary>
    public bool ShowsHosts => Hosts.Count > 1;
}

/// <summary>A machine that runs sandboxes. <see cref="Name"/> is what sandboxes refer to.</summary>
public sealed record TopologyHost(string Name);

/// <summary>A legacy link: <see cref="FromSandboxId"/> reaches <see cref="ToSandboxId"/> as <see cref="Alias"/>.</summary>
public sealed record TopologyLink(string FromSandboxId, string ToSandboxId, string Alias);
