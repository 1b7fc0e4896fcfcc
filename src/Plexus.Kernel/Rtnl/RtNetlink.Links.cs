using Plexus.Kernel.Interop;
using Plexus.Kernel.Netlink;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Kernel.Rtnl;

public sealed partial class RtNetlink
{
    public List<Link> ListLinks() =>
        _connection.Dump("list links", RtmType.GetLink, 0,
            static (w, _) => LinkRequests.WriteIfInfo(w, 0, 0, 0),
            (NetlinkDecode<Link>)LinkRequests.TryDecode);

    public Link? FindLink(string name)
    {
        InterfaceName.Validate(name);
        return _connection.Get($"get link '{name}'", RtmType.GetLink, name,
            static (w, n) =>
            {
                LinkRequests.WriteIfInfo(w, 0, 0, 0);
                w.String(Ifla.IfName, n);
            },
            (NetlinkDecode<Link>)LinkRequests.TryDecode, Errno.ENODEV);
    }

    public Link? FindLink(int index) =>
        _connection.Get($"get link {index}", RtmType.GetLink, index,
            static (w, i) => LinkRequests.WriteIfInfo(w, i, 0, 0),
            (NetlinkDecode<Link>)LinkRequests.TryDecode, Errno.ENODEV);

    public Link GetLink(string name) =>
        FindLink(name) ?? throw new KernelException($"get link '{name}'", Errno.ENODEV, $"no link named '{name}' in this namespace");

    public Link GetLink(int index) =>
        FindLink(index) ?? throw new KernelException($"get link {index}", Errno.ENODEV, $"no link with index {index} in this namespace");

    /// <summary>Creates a link of any kind in one request. Fails if a link of that name exists.</summary>
    public void CreateLink(LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            _connection.Execute($"create {spec.Description}", RtmType.NewLink,
                NetlinkFlags.Create | NetlinkFlags.Exclusive, spec, LinkRequests.WriteCreate);
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
            _connection.Execute($"delete link {index}", RtmType.DelLink, NetlinkFlags.None, index,
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
            _connection.Execute($"delete link '{name}'", RtmType.DelLink, NetlinkFlags.None, name,
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

    /// <summary>Applies several changes to a link in one request.</summary>
    public void SetLink(int index, LinkChanges changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        try
        {
            _connection.Execute($"change link {index}", RtmType.NewLink, NetlinkFlags.None, (index, changes),
                static (w, s) => LinkRequests.WriteChanges(w, s.index, s.changes));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"change {Describe(index)} ({changes})", errno => errno switch
            {
                Errno.ENODEV => $"no link with index {index}",
                Errno.EEXIST when changes.Name is not null => $"a link named '{changes.Name}' already exists",
                Errno.EEXIST when changes.Namespace is not null => "a link of the same name exists in the target namespace",
                _ => NoHint(errno),
            });
        }
        finally
        {
            GC.KeepAlive(changes.Namespace);
        }
    }

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
            _connection.Execute($"set bridge port {index}", RtmType.SetLink, NetlinkFlags.None, (index, settings),
                static (w, s) => LinkRequests.WriteBridgePort(w, s.index, s.settings));
        }
        catch (NetlinkException e)
        {
            throw Explain(e, $"set bridge-port flags on {Describe(index)}", errno => errno switch
            {
                Errno.EINVAL or Errno.EOPNOTSUPP => "the link is not a bridge port",
                _ => NoHint(errno),
            });
        }
    }
}
