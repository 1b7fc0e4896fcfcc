using System.Globalization;
using Plexus.Engine.Sandboxes;
using Plexus.Kernel;
using Plexus.Kernel.Interop;
using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Drivers.Bridge;

/// <summary>
/// How a detach leaves at once without waiting for the kernel: deleting a veth waits out RCU grace periods
/// (about 20 ms), so the pair is parked instead, in two requests of a few kernel calls each, and the
/// <see cref="LinkReaper"/> deletes parked pairs in batches that share one wait.
/// <list type="number">
/// <item>The host end first: out of the bridge while still up (the bridge walks its ports once, for the
/// removal; a port going down first would make it walk them twice), then down, then renamed pxp{index} and put
/// in <see cref="Group"/>. From the first request on, the bridge forwards nothing to it, and a veth whose end
/// is down carries nothing: the sandbox sees no more traffic from the network.</item>
/// <item>Then the sandbox end: its addresses removed (routes through them go too), down, renamed pxp{index} so
/// that its name (eth0) is free for the next join, and put in the group as a mark (deleting the host end
/// deletes it).</item>
/// </list>
/// Parked links are recognised by their group, never by their name: the recovery code marks ownership with an
/// interface alias and leaves groups alone.
/// </summary>
internal sealed class VethParking(RtNetlink host, LinkReaper reaper)
{
    /// <summary>The interface group of parked links ("PlxP"): nothing else on a host is expected to use it.</summary>
    public const uint Group = 0x506c7850;

    public static string ParkedName(int index) => "pxp" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Parks the pair of host end <paramref name="hostIndex"/> and, if it is known, its sandbox end
    /// <paramref name="sandboxIndex"/> holding <paramref name="addresses"/>. A link that is already gone is no
    /// error. If the host end cannot be parked it is deleted outright (slow, but out of service all the same).
    /// </summary>
    public void Park(int hostIndex, Sandbox? sandbox, int sandboxIndex, IEnumerable<IPPrefix> addresses)
    {
        if (hostIndex > 0) ParkHostEnd(hostIndex);
        if (sandbox is not null && sandboxIndex > 0) ParkSandboxEnd(sandbox, sandboxIndex, addresses);
        reaper.Parked();
    }

    /// <summary>Marks a link for the next reaping without touching anything else (an orphan found after a restart).</summary>
    public void MarkForReaping(int index)
    {
        try
        {
            host.SetLink(index, new LinkChanges { Up = false, MasterIndex = 0, Group = Group });
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
        }
    }

    private void ParkHostEnd(int index)
    {
        try
        {
            host.Batch()
                .SetLink(index, new LinkChanges { MasterIndex = 0 })
                .SetLink(index, new LinkChanges { Up = false })
                .SetLink(index, new LinkChanges { Name = ParkedName(index), Group = Group })
                .Execute();
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
            // gone already, with its peer
        }
        catch (KernelException)
        {
            // Its name taken by a stranger, say: it must not stay in service, so it goes the slow way.
            try
            {
                host.DeleteLink(index);
            }
            catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
            {
            }
        }
    }

    private static void ParkSandboxEnd(Sandbox sandbox, int index, IEnumerable<IPPrefix> addresses)
    {
        var batch = sandbox.Netlink.Batch();
        // Addresses before the link goes down: down would drop IPv6 addresses itself, and a delete of an
        // address that is gone fails.
        foreach (var address in addresses) batch.DeleteAddress(index, address, ifPresent: true);
        batch.SetLink(index, new LinkChanges { Up = false })
            .SetLink(index, new LinkChanges { Name = ParkedName(index), Group = Group });
        try
        {
            batch.Execute();
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
        }
        catch (KernelException)
        {
            // The host end is parked already, so this end carries nothing; but its name must be free for the
            // next join (a stranger holds pxpN in an adopted namespace, say): the slow way, then.
            try
            {
                sandbox.Netlink.DeleteLink(index);
            }
            catch (KernelException)
            {
                // gone with its peer meanwhile
            }
        }
    }
}
