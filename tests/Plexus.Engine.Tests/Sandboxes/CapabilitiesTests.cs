using Plexus.Engine.Model;
using Plexus.Engine.Sandboxes;

namespace Plexus.Engine.Tests.Sandboxes;

/// <summary>Docker's default capability set and its rules for --cap-add, --cap-drop and --privileged.</summary>
public class CapabilitiesTests
{
    [Fact]
    public void The_default_set_is_dockers_and_lacks_what_escapes_a_sandbox()
    {
        var set = Capabilities.Effective([], [], privileged: false);
        Assert.Equal(14, set.Count);
        Assert.Contains("CAP_NET_BIND_SERVICE", set);
        Assert.Contains("CAP_NET_RAW", set);
        Assert.DoesNotContain("CAP_SYS_ADMIN", set); // mount, setns: nsenter
        Assert.DoesNotContain("CAP_NET_ADMIN", set); // the sandbox's own addresses and routes
        Assert.DoesNotContain("CAP_SYS_PTRACE", set);
        Assert.DoesNotContain("CAP_SYS_MODULE", set);
        Assert.Equal("-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap",
            Capabilities.BoundingSetArgument(set));
    }

    [Fact]
    public void Names_take_any_case_with_or_without_cap_and_unknown_ones_are_refused_as_docker_does()
    {
        Assert.Equal(["CAP_NET_ADMIN", "CAP_SYS_TIME", "ALL"], Capabilities.Normalize(["net_admin", "CAP_SYS_TIME", "all", "NET_ADMIN"], "cap-add"));
        var e = Assert.Throws<PlexusException>(() => Capabilities.Normalize(["NET_WIZARD"], "capability (CapAdd, --cap-add)"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("invalid capability (CapAdd, --cap-add): unknown capability: \"CAP_NET_WIZARD\"", e.Message);
    }

    [Fact]
    public void Add_and_drop_tweak_the_default_set()
    {
        var set = Capabilities.Effective(["CAP_NET_ADMIN"], ["CAP_NET_RAW"], privileged: false);
        Assert.Contains("CAP_NET_ADMIN", set);
        Assert.DoesNotContain("CAP_NET_RAW", set);
        Assert.Equal(14, set.Count);
        Assert.Equal(["CAP_NET_ADMIN"], Capabilities.Effective(["CAP_NET_ADMIN"], ["ALL"], privileged: false));
        Assert.Empty(Capabilities.Effective([], ["ALL"], privileged: false));
        var all = Capabilities.Effective(["ALL"], ["CAP_SYS_ADMIN"], privileged: false);
        Assert.Equal(Capabilities.Available.Count - 1, all.Count);
        Assert.DoesNotContain("CAP_SYS_ADMIN", all);
        Assert.Equal(Capabilities.Available, Capabilities.Effective([], ["ALL"], privileged: true));
    }
}
