using System.Net;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Ipam;

/// <summary>
/// The "null" IPAM driver, as Docker's: one pool, 0.0.0.0/0 in the "null" address space, from which no
/// address is ever handed out. A network made with it has no subnet and no gateway; its endpoints get no
/// address, for a user or a driver that configures addresses some other way.
/// </summary>
public sealed class NullIpam : IIpamDriver
{
    public const string DriverName = "null";

    private const string Space = "null";

    private static readonly AllocatedPool ThePool = new($"{Space}/0.0.0.0/0", IPNetwork.Parse("0.0.0.0/0"));

    public string Name => DriverName;

    public IpamCapabilities Capabilities { get; } = new(RequiresMacAddress: false, RequiresRequestReplay: false);

    public AddressSpaces GetDefaultAddressSpaces() => new(Space, Space);

    public AllocatedPool RequestPool(PoolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.AddressSpace is { Length: > 0 } space && space != Space)
            throw PlexusException.Invalid($"{request.Owner}: unknown address space {space} (the null IPAM driver has only \"{Space}\")");
        if (request.Pool is { } pool)
            throw PlexusException.Invalid($"{request.Owner}: the null IPAM driver assigns no addresses, so subnet {pool} (--subnet) cannot be used with it");
        if (request.SubPool is { } range)
            throw PlexusException.Invalid($"{request.Owner}: the null IPAM driver assigns no addresses, so IP range {range} (--ip-range) cannot be used with it");
        if (request.V6)
            throw PlexusException.Invalid($"{request.Owner}: the null IPAM driver does not handle IPv6 address pool requests (--ipv6)");
        return ThePool;
    }

    public void ReleasePool(string poolId) { }

    public IPPrefix? RequestAddress(string poolId, IPAddress? address, IReadOnlyDictionary<string, string> options) =>
        address is null ? null
            : throw PlexusException.Invalid($"the null IPAM driver assigns no addresses, so {address} cannot be requested");

    public void ReleaseAddress(string poolId, IPAddress address) { }
}
