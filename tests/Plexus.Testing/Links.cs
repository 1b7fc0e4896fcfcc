using Plexus.Kernel.Rtnl;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Testing;

public static class Links
{
    /// <summary>
    /// A link with carrier to hang addresses and routes on: one end of a veth pair whose both ends are up.
    /// (This kernel, like many container hosts', has no dummy driver.) Returns its index.
    /// </summary>
    public static int UpLink(this RtNetlink rt, string name)
    {
        rt.CreateLink(new VethSpec(name, name + "p") { Up = true });
        rt.SetUp(rt.GetLink(name + "p").Index);
        return rt.GetLink(name).Index;
    }
}
