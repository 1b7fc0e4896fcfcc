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
/// <item>The sandbox end first: its addresses removed (routes through them go too), down, renamed pxp{index}
/// so that its name (eth0) is free for the next join, and put in <see cref="Group"/> as a mark (deleting the
/// host end deletes it). From this request on the sandbox sees nothing from the network: a veth delivers
/// nothing to a peer that is down (the host end drops what the bridge still hands it), and taking it down
/// takes the host end's carrier, so the bridge disables the port and flushes what it learned on it.</item>
/// <item>Then the host end: out of the bridge, renamed pxp{index} and put in the group. It is not set down:
/// its carrier is gone already, and a close of a veth end whose carrier went waits out an expedited RCU grace
/// period under the rtnl lock (its queues hold noop_qdisc by then, which the kernel treats as a qdisc to
/// drain), where the close of the first end of a pair waits for none. Only when the sandbox end was not
/// taken down (a runtime's sandbox, an end not found) does the host end go down, and then it is the first.</item>
/// </list>
/// The kernel calls that remain each wait out one grace period under the rtnl lock, and none can go: the port
/// leaving the bridge (netdev_rx_handler_unregister; a delete of a link still in a bridge waits the same, once
/// per port, so leaving it to the reaper would only move the wait into the reaper's batch) and the two renames
/// (netif_change_name). The pair is parked by index, so a rejoin of the same endpoint finds both names free.
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
        bool sandboxEndDown = sandbox is not null && sandboxIndex > 0 && ParkSandboxEnd(sandbox, sandboxIndex, addresses);
        if (hostIndex > 0) ParkHostEnd(hostIndex, down: !sandboxEndDown);
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

    /// <param name="index">The host end.</param>
    /// <param name="down">Whether to take it down too: only if its peer is not down already (see the class remarks).</param>
    private void ParkHostEnd(int index, bool down)
    {
        try
        {
            // Out of the bridge before anything else: the bridge walks its ports once, for the removal; a port
            // going down first would make it walk them twice.
            var batch = host.Batch().SetLink(index, new LinkChanges { MasterIndex = 0 });
            if (down) batch.SetLink(index, new LinkChanges { Up = false });
            batch.SetLink(index, new LinkChanges { Name = ParkedName(index), Group = Group }).Execute();
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

    /// <summary>Parks the sandbox end; returns whether it is down or gone (with its peer) when this returns.</summary>
    private static bool ParkSandboxEnd(Sandbox sandbox, int index, IEnumerable<IPPrefix> addresses)
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
            return true;
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
        {
            return true; // gone, and its peer with it
        }
        catch (KernelException)
        {
            // It must leave service and its name must be free for the next join (a stranger holds pxpN in an
            // adopted namespace, say): the slow way, then, which takes the host end with it.
            try
            {
                sandbox.Netlink.DeleteLink(index);
                return true;
            }
            catch (KernelException e) when (e.ErrorNumber == Errno.ENODEV)
            {
                return true; // gone with its peer meanwhile
            }
            catch (KernelException)
            {
                return false; // the host end goes down, so the pair carries nothing
            }
        }
    }
}
