using Plexus.Engine.Dns;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Dns;

/// <summary>The handler tests' registry: sandbox "box" at 10.9.0.2, alias "svc", on network "net".</summary>
internal static class OneSandboxRegistry
{
    public static readonly string SandboxId = new('a', 64);

    public static DnsRegistry Create()
    {
        var registry = new DnsRegistry();
        var network = new NetworkState { Id = "n", Name = "net", Driver = "bridge" };
        var sandbox = new SandboxState { Id = SandboxId, Name = "box", NamespacePath = "/x" };
        registry.Publish(network, new EndpointState { Id = "e", Name = "e", NetworkId = "n", IPv4 = IPPrefix.Parse("10.9.0.2/24"), Aliases = ["svc"] }, sandbox);
        return registry;
    }
}
