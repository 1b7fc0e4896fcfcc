using Plexus.Kernel.Interop;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Kernel.Rtnl;

public sealed partial class RtNetlink
{
    public List<Link> ListLinks() =>
        Connection.Dump("list links", RtmType.GetLink, 0,
            static (w, _) => LinkRequests.WriteIfInfo(w, 0, 0, 0),
            (NetlinkDecode<Link>)LinkRequests.TryDecode);

    public Link? FindLink(string name)
    {
        InterfaceName.Validate(name);
        return Connection.Get($"get link '{name}'", RtmType.GetLink, name,
            static (w, n) =>
            {
                LinkRequests.WriteIfInfo(w, 0, 0, 0);
                w.String(Ifla.IfName, n);
            },
            (NetlinkDecode<Link>)LinkRequests.TryDecode, Errno.ENODEV);
    }

    public Link? FindLink(int index) =>
        Connection.Get($"get link {index}", RtmType.GetLink, index,
            static (w, i) => LinkRequests.WriteIfInfo(w, i, 0, 0),
            (NetlinkDecode<Link>)LinkRequests.TryDecode, Errno.ENODEV);

    public Link GetLink(string name) =>
        FindLink(name) ?? throw new KernelException($"get link '{name}'", Errno.ENODEV, $"no link named '{name}' in this namespace");

    public Link GetLink(int index) =>
        FindLink(index) ?? throw new KernelException($"get link {index}", Errno.ENODEV, $"no link with index {index} in this namespace");

    /// <summary>
    /// Creates a link of any kind in one request. Fails if a link of that name exists. Returns the link as the
    /// kernel echoes it (its index, and for a veth the peer's index in <see cref="Link.ParentIndex"/>), so the
    /// caller needs no lookup afterwards; null on kernels that do not echo a created link (before 6.3).
    /// </summary>
    public Link? CreateLink(LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            return Connection.ExecuteEcho($"create {spec.Description}", RtmType.NewLink,
                NetlinkFlags.Create | NetlinkFlags.Exclusive, spec, LinkRequests.WriteCreate,
                (NetlinkMessage m, out Link link) => LinkRequests.TryDecode(m, out link) && link.Name == spec.Name);
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"create {spec.Description}", errno => errno switch
            {
                Errno.EEXIST => spec is VethSpec v && v.PeerNamespace is not null
                    ? $"a link named '{spec.Name}' exists here, or '{v.PeerName}' exists in the peer's namespace"
                    : $"a link named '{spec.Name}' already exists",
                Errno.EOPNOTSUPP => $"this kernel does not support '{spec.Kind}' links, or one of the options given (driver or feature not built in)",
                _ => NoHint(errno),
            });
        }
        finally
        {
            GC.KeepAlive(spec.Namespace);
            GC.KeepAlive((spec as VethSpec)?.PeerNamespace);
        }
    }

    public void DeleteLink(int index)
    {
        try
        {
            Connection.Execute($"delete link {index}", RtmType.DelLink, NetlinkFlags.None, index,
                static (w, i) => LinkRequests.WriteIfInfo(w, i, 0, 0));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"delete link {index}", errno => errno == Errno.ENODEV ? $"no link with index {index}" : NoHint(errno));
        }
    }

    public void DeleteLink(string name)
    {
        InterfaceName.Validate(name);
        try
        {
            Connection.Execute($"delete link '{name}'", RtmType.DelLink, NetlinkFlags.None, name,
                static (w, n) =>
                {
                    LinkRequests.WriteIfInfo(w, 0, 0, 0);
                    w.String(Ifla.IfName, n);
                });
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"delete link '{name}'", errno => errno == Errno.ENODEV ? $"no link named '{name}'" : NoHint(errno));
        }
    }

    /// <summary>
    /// Deletes every link of an interface group in one request (RTM_DELLINK with IFLA_GROUP): the kernel
    /// unregisters them as one batch, so they share the RCU grace periods that make a single deletion slow.
    /// A veth's peer goes with it, whatever namespace it is in. Returns false when the group was empty.
    /// </summary>
    public bool DeleteGroup(uint group)
    {
        if (group == 0) throw new ArgumentOutOfRangeException(nameof(group), "group 0 is every link's default group; the kernel refuses to delete it");
        try
        {
            Connection.Execute($"delete link group {group}", RtmType.DelLink, NetlinkFlags.None, group,
                static (w, g) =>
                {
                    LinkRequests.WriteIfInfo(w, 0, 0, 0);
                    w.UInt32(Ifla.Group, g);
                });
            return true;
        }
        catch (NetlinkException e) when (e.ErrorNumber == Errno.ENODEV)
        {
            return false;
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"delete link group {group}", NoHint);
        }
    }

    /// <summary>Applies several changes to a link in one request.</summary>
    public void SetLink(int index, LinkChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        try
        {
            Connection.Execute($"change link {index}", RtmType.NewLink, NetlinkFlags.None, (index, changes),
                static (w, s) => LinkRequests.WriteChanges(w, s.index, s.changes));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"change {Describe(index)} ({changes})", SetLinkHint(index, changes));
        }
        finally
        {
            GC.KeepAlive(changes.Namespace);
        }
    }

    /// <summary>
    /// Applies changes to the link named <paramref name="name"/> in one request, without looking its index
    /// up first (a lookup of a veth costs the kernel a walk of every namespace id it knows). It cannot rename.
    /// </summary>
    public void SetLink(string name, LinkChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        InterfaceName.Validate(name);
        if (changes.Name is not null) throw new ArgumentException("a link addressed by name cannot be renamed in the same request; address it by index", nameof(changes));
        try
        {
            Connection.Execute($"change link '{name}'", RtmType.NewLink, NetlinkFlags.None, (name, changes),
                static (w, s) =>
                {
                    LinkRequests.WriteChanges(w, 0, s.changes);
                    w.String(Ifla.IfName, s.name);
                });
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"change link '{name}' ({changes})", errno => errno == Errno.ENODEV ? $"no link named '{name}'" : SetLinkHint(0, changes)(errno));
        }
        finally
        {
            GC.KeepAlive(changes.Namespace);
        }
    }

    internal static Func<int, string?> SetLinkHint(int index, LinkChanges changes) => errno => errno switch
    {
        Errno.ENODEV => $"no link with index {index}",
        Errno.EEXIST when changes.Name is not null => $"a link named '{changes.Name}' already exists",
        Errno.EEXIST when changes.Namespace is not null => "a link of the same name exists in the target namespace",
        Errno.EBUSY when changes.Name is not null => "a link must be down to be renamed",
        _ => NoHint(errno),
    };

    public void SetUp(int index) => SetLink(index, new LinkChanges { Up = true });

    public void SetDown(int index) => SetLink(index, new LinkChanges { Up = false });

    public void SetMaster(int index, int masterIndex) => SetLink(index, new LinkChanges { MasterIndex = masterIndex });

    public void SetNoMaster(int index) => SetLink(index, new LinkChanges { MasterIndex = 0 });

    /// <summary>Sets bridge-port flags (hairpin, isolated, learning) on a link that is a bridge port.</summary>
    public void SetBridgePort(int index, BridgePortSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            Connection.Execute($"set bridge port {index}", RtmType.SetLink, NetlinkFlags.None, (index, settings),
                static (w, s) => LinkRequests.WriteBridgePort(w, s.index, s.settings));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"set bridge-port flags on {Describe(index)}", BridgePortHint);
        }
    }

    internal static string? BridgePortHint(int errno) => errno switch
    {
        Errno.EINVAL or Errno.EOPNOTSUPP => "the link is not a bridge port",
        _ => NoHint(errno),
    };
}
