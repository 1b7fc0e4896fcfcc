using Plexus.Engine.Model;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;

namespace Plexus.Engine.Sandboxes;

/// <summary>
/// A live sandbox: its stored state plus an open handle on its network namespace and, opened on first
/// use, an rtnetlink socket inside it (usable from any thread).
/// </summary>
public sealed class Sandbox : IDisposable
{
    private readonly Lazy<RtNetlink> _netlink;

    internal Sandbox(SandboxState state, NetworkNamespace ns, bool isHostNamespace)
    {
        State = state;
        Namespace = ns;
        IsHostNamespace = isHostNamespace;
        _netlink = new Lazy<RtNetlink>(ns.OpenRtNetlink, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public SandboxState State { get; internal set; }

    public string Id => State.Id;

    public string Name => State.Name;

    public NetworkNamespace Namespace { get; }

    /// <summary>True for sandboxes on the host network: they share the daemon's namespace.</summary>
    public bool IsHostNamespace { get; }

    /// <summary>
    /// The namespace is a container runtime's (Docker's, through the plugin protocol), which configures it itself:
    /// Plexus never enters it. Joins make both veth ends in the host's namespace and hand the runtime the free end
    /// to move in (<see cref="Drivers.JoinInfo.SourceInterface"/>); <see cref="Namespace"/> is then a handle on the
    /// host's namespace, never the container's, so nothing can configure the container by mistake.
    /// </summary>
    public bool RuntimeManaged => Model.Owners.IsDocker(State.Labels);

    /// <summary>
    /// True once Plexus may have started a process in the sandbox (in this daemon's life, or found at restore):
    /// only then does its removal look for processes to end.
    /// </summary>
    internal bool MayHaveProcesses { get; set; }

    /// <summary>rtnetlink inside the sandbox.</summary>
    public RtNetlink Netlink => _netlink.Value;

    public void Dispose()
    {
        if (_netlink.IsValueCreated) _netlink.Value.Dispose();
        Namespace.Dispose();
    }
}
