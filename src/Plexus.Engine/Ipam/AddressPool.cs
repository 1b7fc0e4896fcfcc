namespace Plexus.Engine.Ipam;

/// <summary>
/// One pool of the default IPAM driver: its addresses and the lock that guards them, so allocations in
/// different pools never wait for each other.
/// </summary>
internal sealed class AddressPool(string id, AddressSpace space, string owner, bool serial, SubnetAllocator addresses)
{
    public string Id { get; } = id;

    public AddressSpace Space { get; } = space;

    /// <summary>Who asked for it ("network web"), for messages.</summary>
    public string Owner { get; } = owner;

    /// <summary>Hand out the address after the last one handed out rather than the lowest free one.</summary>
    public bool Serial { get; } = serial;

    public SubnetAllocator Addresses { get; } = addresses;

    public Lock Gate { get; } = new();

    /// <summary>Set under <see cref="Gate"/> when the pool is released, for callers that looked it up before.</summary>
    public bool Removed { get; set; }
}
