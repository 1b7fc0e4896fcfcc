using System.Net;
using Plexus.Engine.Model;

namespace Plexus.Engine.Ipam;

/// <summary>
/// Ranges whose addresses the kernel gives another meaning, so a network's subnet must not overlap them:
/// its gateway could not be assigned (multicast: EADDRNOTAVAIL), or would capture traffic that belongs to
/// every host (loopback, link-local, "this network"). Docker refuses IPv6 multicast and link-local subnets
/// in its bridge driver; the same reasoning holds for their IPv4 counterparts, so both are refused here,
/// before anything is allocated or made.
/// </summary>
public static class ReservedRanges
{
    private static readonly (IPNetwork Range, string What)[] Ranges =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "the \"this network\" range 0.0.0.0/8 (RFC 1122)"),
        (IPNetwork.Parse("127.0.0.0/8"), "the loopback range 127.0.0.0/8"),
        (IPNetwork.Parse("169.254.0.0/16"), "the link-local range 169.254.0.0/16"),
        (IPNetwork.Parse("224.0.0.0/4"), "the multicast range 224.0.0.0/4"),
        (IPNetwork.Parse("255.255.255.255/32"), "the limited broadcast address 255.255.255.255"),
        (IPNetwork.Parse("::/128"), "the unspecified address ::"),
        (IPNetwork.Parse("::1/128"), "the loopback address ::1"),
        (IPNetwork.Parse("::ffff:0:0/96"), "the IPv4-mapped range ::ffff:0:0/96"),
        (IPNetwork.Parse("fe80::/10"), "the link-local range fe80::/10"),
        (IPNetwork.Parse("ff00::/8"), "the multicast range ff00::/8"),
    ];

    /// <summary>Throws a 400 naming the range when <paramref name="subnet"/> overlaps one.</summary>
    public static void Check(string networkName, IPNetwork subnet)
    {
        foreach (var (range, what) in Ranges)
            if (IPMath.Overlaps(range, subnet))
                throw PlexusException.Invalid($"network {networkName}: invalid subnet {subnet}: it overlaps {what}, whose addresses cannot be a network's; choose another subnet");
    }
}
