using Plexus.Engine.Model;
using Plexus.Kernel;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Engine.Drivers.Macvlan;

/// <summary>
/// The parent interfaces of macvlan and ipvlan networks, shared by both drivers (a VLAN sub-interface can
/// carry networks of each). A parent that exists is used as it is and never changed or deleted. A missing
/// parent named BASE.ID is created as an 802.1q sub-interface of BASE, as Docker does; a network without
/// `-o parent` gets a link of its own that leads nowhere (a dummy, or where the kernel has no dummy driver
/// a veth pair whose other end stays on the host unused). What Plexus creates carries the alias
/// "plexus:NETWORK-ID" (as its bridges do) and is deleted with the last network that uses it, or at the
/// next start when no network does.
/// </summary>
public sealed class ParentLinks
{
    public const string MarkPrefix = "plexus:";

    /// <summary>Prefix of the unused far end of a veth pair standing in for a dummy.</summary>
    public const string FarEndPrefix = "dp-";

    private readonly RtNetlink _host;
    private readonly Lock _gate = new();

    /// <summary>Network id to the parent it uses, its driver, and whether it needs the parent alone (macvlan passthru).</summary>
    private readonly Dictionary<string, Use> _uses = new(StringComparer.Ordinal);

    private readonly record struct Use(string NetworkName, string Parent, string Driver, bool Exclusive);

    /// <summary>Leftovers of an earlier run are collected once (<see cref="CollectGarbage"/>).</summary>
    private bool _collected;

    public ParentLinks(RtNetlink host) => _host = host;

    /// <summary>
    /// Takes the parent for a network: refuses a mode conflict with another network on it, finds it, or
    /// creates it (a VLAN sub-interface or the network's own dummy). A missing parent that is neither is a
    /// clear error naming it. Returns the parent's index.
    /// </summary>
    public int Acquire(NetworkState network, string driver, string parent, bool given, bool exclusive)
    {
        lock (_gate)
        {
            foreach (var (id, use) in _uses)
            {
                if (id == network.Id || use.Parent != parent) continue;
                if (exclusive)
                    throw PlexusException.Conflict($"network {network.Name}: cannot use mode passthru, {use.Driver} network {use.NetworkName} is already using parent interface {parent}");
                if (use.Exclusive)
                    throw PlexusException.Conflict($"network {network.Name}: {use.Driver} network {use.NetworkName} is already using parent interface {parent} in mode passthru");
            }
            var index = _host.FindLink(parent)?.Index ?? Create(network, parent, given);
            _uses[network.Id] = new Use(network.Name, parent, driver, exclusive);
            return index;
        }
    }

    /// <summary>The index of a network's parent now; a clear error when it has gone from the host.</summary>
    public int IndexOf(NetworkState network, string parent) =>
        _host.FindLink(parent)?.Index
        ?? throw PlexusException.Conflict($"network {network.Name}: its parent interface {parent} is not on the host any more; re-create it, or remove the network");

    /// <summary>Lets go of a network's parent; deletes it when Plexus made it and no other network uses it.</summary>
    public void Release(NetworkState network, string parent)
    {
        lock (_gate)
        {
            _uses.Remove(network.Id);
            if (_uses.Values.Any(u => u.Parent == parent)) return;
            if (_host.FindLink(parent) is { } link && IsOurs(link)) DeleteIfPresent(link.Index);
        }
    }

    /// <summary>
    /// After a restart: deletes parents Plexus made that no network of <paramref name="parentsInUse"/> names.
    /// Returns what it deleted. Both drivers ask at restore, each with every network of both: the first call
    /// collects, later ones find nothing to do (what this instance makes it tracks, and deletes, itself).
    /// </summary>
    public IReadOnlyList<string> CollectGarbage(IReadOnlySet<string> parentsInUse)
    {
        var removed = new List<string>();
        lock (_gate)
        {
            if (_collected) return removed;
            _collected = true;
            foreach (var link in _host.ListLinks())
            {
                if (!IsOurs(link) || parentsInUse.Contains(link.Name) || _uses.Values.Any(u => u.Parent == link.Name)) continue;
                if (link.Name.StartsWith(FarEndPrefix, StringComparison.Ordinal)) continue; // goes with its pair
                DeleteIfPresent(link.Index);
                removed.Add(link.Name);
            }
        }
        return removed;
    }

    /// <summary>A parent Plexus made: marked, and of a kind it makes (never a device or a bridge).</summary>
    private static bool IsOurs(Link link) =>
        link.Alias is { } alias && alias.StartsWith(MarkPrefix, StringComparison.Ordinal)
        && (link.Kind is "vlan" or "dummy" || (link.Kind == "veth" && link.Name.StartsWith(ParentOption.DummyPrefix, StringComparison.Ordinal)));

    private int Create(NetworkState network, string parent, bool given)
    {
        if (!given) return CreateDummy(network, parent);
        if (!parent.Contains('.', StringComparison.Ordinal))
            throw PlexusException.NotFound(
                $"network {network.Name}: the parent interface {parent} was not found on the host (a missing parent is created only for an 802.1q sub-interface named BASE.VLAN-ID, e.g. eth0.10)");
        var (baseName, id) = VlanName.Parse(network, parent);
        var lower = _host.FindLink(baseName)
            ?? throw PlexusException.NotFound($"network {network.Name}: the parent interface {baseName} of VLAN sub-interface {parent} was not found on the host");
        Link? created;
        try
        {
            created = _host.CreateLink(new VlanSpec(parent, lower.Index, id));
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.EOPNOTSUPP)
        {
            throw PlexusException.Invalid(
                $"network {network.Name}: cannot create the 802.1q VLAN sub-interface {parent}: 802.1q VLANs are not supported by this kernel (no 8021q driver); create {parent} another way or use an existing parent");
        }
        return MarkAndRaise(network, created?.Index ?? _host.GetLink(parent).Index);
    }

    private int CreateDummy(NetworkState network, string name)
    {
        Link? created;
        try
        {
            created = _host.CreateLink(new DummySpec(name));
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.EOPNOTSUPP)
        {
            // No dummy driver (this kernel has none): a veth pair whose far end is up and unused carries
            // the same nothing, with carrier, so its children come up.
            var farEnd = FarEndPrefix + name[ParentOption.DummyPrefix.Length..];
            created = _host.CreateLink(new VethSpec(name, farEnd));
            int far = _host.GetLink(farEnd).Index;
            try
            {
                _host.SetLink(far, new LinkChanges { Alias = MarkPrefix + network.Id, Up = true });
            }
            catch
            {
                DeleteIfPresent(far);
                throw;
            }
        }
        return MarkAndRaise(network, created?.Index ?? _host.GetLink(name).Index);
    }

    /// <summary>The kernel takes no IFLA_IFALIAS in a create request: the mark is set right after, with the link brought up.</summary>
    private int MarkAndRaise(NetworkState network, int index)
    {
        try
        {
            _host.SetLink(index, new LinkChanges { Alias = MarkPrefix + network.Id, Up = true });
        }
        catch
        {
            DeleteIfPresent(index);
            throw;
        }
        return index;
    }

    private void DeleteIfPresent(int index)
    {
        try
        {
            _host.DeleteLink(index);
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
        }
    }
}
