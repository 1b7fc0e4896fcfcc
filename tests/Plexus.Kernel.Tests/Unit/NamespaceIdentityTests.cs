using Plexus.Kernel.Namespaces;
using Plexus.Kernel.ProcFs;

namespace Plexus.Kernel.Tests.Unit;

/// <summary>
/// A namespace's identity read from a handle and from a process's /proc entry is one reading (device and inode),
/// so the process scan finds the processes of a sandbox by the identity its handle gives. Needs no privilege.
/// </summary>
public sealed class NamespaceIdentityTests
{
    [Fact]
    public void A_process_is_found_in_its_namespace_by_device_and_inode()
    {
        using var own = NetworkNamespace.OpenProcess();
        var (device, inode) = own.Identity;

        Assert.Equal(own.Identity, ProcessTable.NetworkNamespaceIdentityOf(Environment.ProcessId));
        Assert.Equal(inode, ProcessTable.InodeOf("/proc/self/ns/net"));
        Assert.Contains(Environment.ProcessId, ProcessTable.InNetworkNamespace(inode, device));
        Assert.DoesNotContain(Environment.ProcessId, ProcessTable.InNetworkNamespace(inode, device + 1)); // same inode, other device: another file
        Assert.Null(ProcessTable.NetworkNamespaceIdentityOf(int.MaxValue));
        Assert.Equal(0UL, ProcessTable.InodeOf("/nonexistent/plexus"));
    }
}
