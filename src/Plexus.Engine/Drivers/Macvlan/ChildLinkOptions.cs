namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>What the options of every macvlan and ipvlan network say: its parent (<see cref="ParentOption"/>).</summary>
public abstract record ChildLinkOptions
{
    /// <summary>The parent interface's name (the network's own dummy when <see cref="HasParent"/> is false).</summary>
    public required string Parent { get; init; }

    /// <summary>False when no `-o parent` was given: the sandboxes reach only each other, so no gateway.</summary>
    public bool HasParent { get; init; }
}
