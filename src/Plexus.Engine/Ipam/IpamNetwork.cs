namespace Plexus.Engine.Ipam;

/// <summary>
/// One network as IPAM knows it: its subnets' allocators and the lock that guards them, so allocations
/// on different networks never wait for each other.
/// </summary>
internal sealed class IpamNetwork(string id, string name, bool serial, IReadOnlyList<SubnetAllocator> subnets)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    /// <summary>Hand out the address after the last one handed out rather than the lowest free one.</summary>
    public bool Serial { get; } = serial;

    /// <summary>IPv4 subnets first, then IPv6, each in the order they were requested.</summary>
    public IReadOnlyList<SubnetAllocator> Subnets { get; } = subnets;

    public Lock Gate { get; } = new();

    /// <summary>Set under <see cref="Gate"/> when the network is removed, for callers that looked it up before.</summary>
    public bool Removed { get; set; }
}
