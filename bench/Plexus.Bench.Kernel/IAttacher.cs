namespace Plexus.Bench.Kernel;

/// <summary>The bridge of a phase, by name (for `ip`) and index (for netlink).</summary>
internal readonly record struct Bridge(string Name, int Index);

/// <summary>One way of attaching a sandbox to the bridge: the timed unit of the benchmark.</summary>
internal interface IAttacher
{
    /// <summary>Short name used in tables and JSON ("plexus", "ip").</summary>
    string Name { get; }

    /// <summary>What the method is, for the report.</summary>
    string Description { get; }

    /// <summary>The steps <see cref="Attach"/> marks on its clock, in order.</summary>
    IReadOnlyList<string> Steps { get; }

    /// <summary>
    /// veth pair with the peer created as eth0 in the sandbox's namespace, host side a bridge port and up,
    /// then lo up, eth0 up, the sandbox's address and a default route via the gateway.
    /// Calls <see cref="StepClock.Mark"/> after each of <see cref="Steps"/>.
    /// </summary>
    void Attach(Sandbox sandbox, Bridge bridge, StepClock clock);

    /// <summary>Deletes the host-side veth, which takes its peer (and so the address and route) with it.</summary>
    void Detach(Sandbox sandbox);
}
