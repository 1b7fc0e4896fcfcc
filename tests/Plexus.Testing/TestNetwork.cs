using Plexus.Kernel;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;

namespace Plexus.Testing;

/// <summary>
/// A world of its own for one test: a fresh "host" namespace plus any number of "container"
/// namespaces, all under a private runtime directory. Tests never touch the namespace they run in,
/// so they can run in parallel. Disposing removes every namespace, and with them every link.
/// </summary>
public sealed class TestNetwork : IDisposable
{
    private static int s_counter;
    private readonly List<(string Name, NetworkNamespace Ns, RtNetlink? Rt)> _namespaces = [];

    public TestNetwork()
    {
        Id = $"t{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        Directory = new NamespaceDirectory($"/run/plexus-test/{Id}");
        (HostNs, Host) = Add("host");
    }

    public string Id { get; }

    public NamespaceDirectory Directory { get; }

    /// <summary>The test's "host": where bridges live.</summary>
    public NetworkNamespace HostNs { get; }

    public RtNetlink Host { get; }

    /// <summary>Creates a namespace (a sandbox) and a netlink connection inside it.</summary>
    public (NetworkNamespace Ns, RtNetlink Rt) Add(string name)
    {
        var ns = Directory.Create(name);
        var rt = ns.OpenRtNetlink();
        rt.SetUp(rt.GetLink("lo").Index); // as on any real host: 127.0.0.1 works
        _namespaces.Add((name, ns, rt));
        return (ns, rt);
    }

    public string PathOf(string name) => Directory.PathOf(name);

    /// <summary>Runs a command inside a namespace of this network and returns its exit code and output.</summary>
    public (int ExitCode, string Output) Exec(string name, params string[] command) =>
        Processes.Run("nsenter", [$"--net={PathOf(name)}", "--", .. command]);

    public void Dispose()
    {
        foreach (var (name, ns, rt) in _namespaces)
        {
            rt?.Dispose();
            ns.Dispose();
            try
            {
                Directory.Delete(name);
            }
            catch (KernelException)
            {
                // already gone
            }
        }
        Directory.Release();
    }
}
