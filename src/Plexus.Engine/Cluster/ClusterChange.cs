namespace Plexus.Engine.Cluster;

public enum ClusterChangeKind
{
    /// <summary>A host registered (or was seen for the first time).</summary>
    Joined,

    /// <summary>A registered host changed its record (a new advertise address).</summary>
    Updated,

    /// <summary>A host's record is gone: it left, or its lease expired because it stopped renewing it.</summary>
    Left,
}

/// <summary>A change of the member list: what happened to which host.</summary>
public sealed record ClusterChange(ClusterChangeKind Kind, ClusterHost Host);
