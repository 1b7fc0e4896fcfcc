using Plexus.Kernel.Firewall;

namespace Plexus.Engine.Drivers.Bridge.Firewall;

/// <summary>One step of a transaction, replayed on the firewall's state when the transaction commits.</summary>
internal abstract record FirewallOperation
{
    public abstract void ApplyTo(FirewallChange change);

    public sealed record AddNetwork(BridgeRules Network) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change) => change.AddNetwork(Network);
    }

    public sealed record RemoveNetwork(string Tag) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change) => change.RemoveNetwork(Tag);
    }

    public sealed record AddPorts(IReadOnlyList<PortMapping> Ports) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change)
        {
            foreach (var p in Ports) change.AddPort(p);
        }
    }

    public sealed record RemovePorts(IReadOnlyList<PortMapping> Ports) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change)
        {
            foreach (var p in Ports) change.RemovePort(p);
        }
    }

    public sealed record RemoveEndpointPorts(string Tag) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change) => change.RemovePorts(Tag);
    }

    public sealed record AddLinks(IReadOnlyList<LinkRule> Links) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change)
        {
            foreach (var l in Links) change.AddLink(l);
        }
    }

    public sealed record RemoveLinks(string Tag) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change) => change.RemoveLinks(Tag);
    }

    public sealed record AddBridgePort(BridgePort Port) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change) => change.AddBridgePort(Port);
    }

    public sealed record RemoveBridgePorts(string Tag, string? PortName = null) : FirewallOperation
    {
        public override void ApplyTo(FirewallChange change) => change.RemoveBridgePorts(Tag, PortName);
    }
}
