using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Types;

namespace Plexus.Bench.Kernel;

/// <summary>One sandbox to attach: its namespace (created before the timed attach), host-side veth name and address.</summary>
internal sealed class Sandbox(int number, string namespaceName, string hostLink, IPPrefix address)
{
    public int Number { get; } = number;
    public string NamespaceName { get; } = namespaceName;
    public string HostLink { get; } = hostLink;
    public IPPrefix Address { get; } = address;
    public MacAddress Mac { get; } = MacAddress.FromIPv4(address.Address);

    /// <summary>The open namespace handle; set by <see cref="TestBed"/> before any attach.</summary>
    public NetworkNamespace? Namespace { get; set; }
}
