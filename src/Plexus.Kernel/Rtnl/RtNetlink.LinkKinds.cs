using Plexus.Kernel.Interop;
using Plexus.Kernel.Rtnl.LinkKinds;

namespace Plexus.Kernel.Rtnl;

public sealed partial class RtNetlink
{
    private const string ProbeName = "plexus-probe";

    /// <summary>
    /// Whether the kernel has the driver of a link kind that needs a parent ("macvlan", "ipvlan", "vlan"), asked
    /// without creating anything: a request naming parent index 0, which no device has. A kernel without the
    /// driver refuses the kind itself (EOPNOTSUPP, after trying to load its module); one with it runs the
    /// driver's own checks, which refuse the missing parent (ENODEV or EINVAL). Module lists and /sys/module
    /// would miss drivers built into the kernel. Any other refusal (EPERM: no CAP_NET_ADMIN) is thrown, not
    /// taken for an answer.
    /// </summary>
    public bool HasLinkKind(string kind)
    {
        LinkSpec probe = kind switch
        {
            "macvlan" => new MacvlanSpec(ProbeName, 0),
            "ipvlan" => new IpvlanSpec(ProbeName, 0),
            "vlan" => new VlanSpec(ProbeName, 0, VlanSpec.MinId),
            _ => throw new ArgumentException($"cannot probe link kind '{kind}' without creating one (only kinds that need a parent)", nameof(kind)),
        };
        try
        {
            CreateLink(probe);
        }
        catch (KernelException e) when (e.ErrorNumber == Errno.EOPNOTSUPP)
        {
            return false;
        }
        catch (KernelException e) when (e.ErrorNumber is Errno.ENODEV or Errno.EINVAL)
        {
            return true; // the driver's own check refused the missing parent: it is there
        }
        // A kernel that took parent 0 made a link after all: it has the driver, and the probe goes.
        DeleteLink(ProbeName);
        return true;
    }
}
