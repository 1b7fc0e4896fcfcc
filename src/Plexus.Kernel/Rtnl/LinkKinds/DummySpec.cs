namespace Plexus.Kernel.Rtnl.LinkKinds;

/// <summary>A dummy device: a place to hang addresses, used for tests and for anycast.</summary>
public sealed record DummySpec(string LinkName) : LinkSpec(LinkName)
{
    public override string Kind => "dummy";
}
