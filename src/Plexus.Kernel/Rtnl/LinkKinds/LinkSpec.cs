using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Types;

namespace Plexus.Kernel.Rtnl.LinkKinds;

/// <summary>
/// What to create with RTM_NEWLINK. Each kind is a small type that knows its IFLA_INFO_KIND and writes
/// its own IFLA_INFO_DATA, so adding a kind never touches the request code.
/// </summary>
public abstract record LinkSpec
{
    protected LinkSpec(string name) => Name = InterfaceName.Validate(name);

    public string Name { get; }

    public abstract string Kind { get; }

    public int? Mtu { get; init; }
    public MacAddress? Mac { get; init; }

    /// <summary>Bridge to attach the new link to, by index.</summary>
    public int? MasterIndex { get; init; }

    /// <summary>
    /// IFLA_NUM_TX_QUEUES and IFLA_NUM_RX_QUEUES: how many queues the device is made with (a veth pair: both
    /// ends); null leaves it to the driver. A veth is otherwise made with a queue per CPU and cut down to one
    /// real queue after registration, and that cut waits out an RCU grace period while holding the kernel's
    /// rtnl lock, so every other link change on the machine waits with it. Made with one queue (as many as it
    /// then uses) it skips that wait: in a private namespace here, 176 against 294-365 µs per pair.
    /// </summary>
    public int? Queues
    {
        get;
        init => field = value is < 1 ? throw new ArgumentOutOfRangeException(nameof(Queues), value, "a device has at least one queue") : value;
    }

    /// <summary>Bring the link up as part of its creation.</summary>
    public bool Up { get; init; }

    /// <summary>Create the link directly in this namespace instead of the connection's.</summary>
    public NetworkNamespace? Namespace { get; init; }

    /// <summary>IFLA_LINK: the lower device (macvlan parent, vxlan underlay).</summary>
    protected virtual int? ParentIndex => null;

    /// <summary>Writes IFLA_INFO_DATA's contents; return false if the kind has none.</summary>
    internal virtual bool WriteInfoData(NetlinkWriter writer) => false;

    /// <summary>Attributes after the main link's ifinfomsg but outside IFLA_LINKINFO.</summary>
    internal void WriteCommon(NetlinkWriter writer)
    {
        writer.String(Ifla.IfName, Name);
        if (Mtu is { } mtu) writer.UInt32(Ifla.Mtu, (uint)mtu);
        if (Mac is { } mac) writer.Mac(Ifla.Address, mac);
        WriteQueues(writer, Queues);
        if (MasterIndex is { } master) writer.UInt32(Ifla.Master, (uint)master);
        if (ParentIndex is { } parent) writer.UInt32(Ifla.Link, (uint)parent);
        if (Namespace is { } ns) writer.UInt32(Ifla.NetNsFd, (uint)ns.Descriptor);
    }

    internal static void WriteQueues(NetlinkWriter writer, int? queues)
    {
        if (queues is not { } count) return;
        writer.UInt32(Ifla.NumTxQueues, (uint)count);
        writer.UInt32(Ifla.NumRxQueues, (uint)count);
    }

    /// <summary>"bridge link 'br0'", for messages (records generate their own ToString).</summary>
    public virtual string Description => $"{Kind} link '{Name}'";
}
