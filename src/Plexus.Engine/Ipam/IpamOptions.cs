namespace Plexus.Engine.Ipam;

/// <summary>Option keys and values of address requests, as libnetwork spells them where it has them.</summary>
public static class IpamOptions
{
    /// <summary>What an address is for (libnetwork's ipamapi.RequestAddressType); absent for an endpoint's address.</summary>
    public const string RequestAddressType = "RequestAddressType";

    /// <summary>The value of <see cref="RequestAddressType"/> for a network's gateway (libnetwork's netlabel.Gateway).</summary>
    public const string Gateway = "com.docker.network.gateway";

    /// <summary>The value of <see cref="RequestAddressType"/> for an auxiliary address (--aux-address), held for the network.</summary>
    public const string Auxiliary = "com.plexus.ipam.auxiliary";

    /// <summary>The name an auxiliary address was given (--aux-address NAME=IP), for messages.</summary>
    public const string AuxiliaryName = "com.plexus.ipam.auxiliary.name";

    /// <summary>"true" when the controller replays, after a restart, an address it held before (see <see cref="IpamCapabilities"/>).</summary>
    public const string Replay = "com.plexus.ipam.replay";

    public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();
}
