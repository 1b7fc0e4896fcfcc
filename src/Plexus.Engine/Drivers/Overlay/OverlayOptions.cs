using System.Globalization;
using Plexus.Engine.Model;

namespace Plexus.Engine.Drivers.Overlay;

/// <summary>An overlay network's options as Docker spells them: its VXLAN id and an optional MTU.</summary>
public sealed record OverlayOptions(uint Vni, int? Mtu)
{
    /// <summary>Docker's key for the network's VXLAN id (shown in inspect's Options): asked for at create, or allocated cluster-wide by the controller.</summary>
    public const string VxlanId = "com.docker.network.driver.overlay.vxlanid_list";

    /// <summary>VXLAN ids have 24 bits.</summary>
    public const uint MaxVni = 0xFFFFFF;

    public const string MtuKey = "com.docker.network.driver.mtu";

    /// <summary>VXLAN adds 50 bytes (outer Ethernet, IPv4, UDP and VXLAN headers) to every frame.</summary>
    public const int Overhead = 50;

    public static OverlayOptions Parse(NetworkState network)
    {
        ArgumentNullException.ThrowIfNull(network);
        uint vni = 0;
        if (network.Options.TryGetValue(VxlanId, out var text)
            && (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out vni) || vni is 0 or > MaxVni))
            throw PlexusException.Invalid($"invalid {VxlanId} '{text}': a VXLAN id is 1 to {MaxVni}");
        int? mtu = null;
        if (network.Options.TryGetValue(MtuKey, out var m))
        {
            if (!int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 68 or > 65535)
                throw PlexusException.Invalid($"invalid {MtuKey} '{m}': an MTU is 68 to 65535");
            mtu = value;
        }
        return new OverlayOptions(vni, mtu);
    }
}
