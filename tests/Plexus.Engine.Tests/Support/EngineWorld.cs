using System.Diagnostics;
using Plexus.Engine.Controller;
using Plexus.Engine.Drivers;
using Plexus.Engine.Drivers.Bridge;
using Plexus.Engine.Drivers.Host;
using Plexus.Engine.Drivers.Macvlan;
using Plexus.Engine.Drivers.Null;
using Plexus.Engine.Ipam;
using Plexus.Engine.Store;
using Plexus.Kernel.Namespaces;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Support;

/// <summary>
/// A controller running against a private "host" namespace of its own (so tests run in parallel and
/// never touch the namespace the suite runs in), with its store in a temporary data root and its
/// namespaces under a private exec root. <see cref="Restart"/> simulates a daemon restart.
/// </summary>
public sealed class EngineWorld : IDisposable
{
    private SqliteStore? _store;

    private readonly string _firewallBackend;
    private Kernel.Firewall.IFirewall<Engine.Drivers.Bridge.Firewall.FirewallState, Engine.Drivers.Bridge.Firewall.FirewallChange>? _firewall;

    private readonly TimeSpan? _reapDelay;

    private readonly Func<TestNetwork, INetworkDriver[]>? _extraDrivers;

    /// <param name="reapDelay">How long parked veths wait for the bridge driver's reaper (infinite: only when <see cref="Reap"/> or a restart says).</param>
    /// <param name="extraDrivers">Drivers to load besides bridge, null and host (test drivers), made anew at each start.</param>
    public EngineWorld(string firewall = "none", TimeSpan? reapDelay = null, Func<TestNetwork, INetworkDriver[]>? extraDrivers = null)
    {
        _firewallBackend = firewall;
        _reapDelay = reapDelay;
        _extraDrivers = extraDrivers;
        Net = new TestNetwork();
        DataRoot = Directory.CreateTempSubdirectory("plexus-engine-test-").FullName;
        Options = new ControllerOptions
        {
            DataRoot = DataRoot,
            ExecRoot = $"/run/plexus-test/{Net.Id}-exec",
            DefaultDns = ["192.0.2.53"],
        };
        Controller = Open();
    }

    public TestNetwork Net { get; }

    public string DataRoot { get; }

    public ControllerOptions Options { get; }

    public NetworkController Controller { get; private set; }

    public IReadOnlyList<string> LastRestoreLog { get; private set; } = [];

    /// <summary>Drops the controller (as a crash would: no cleanup) and starts a new one on the same store and kernel.</summary>
    public NetworkController Restart()
    {
        Controller.Dispose();
        _store?.Dispose();
        Controller = Open();
        return Controller;
    }

    private NetworkController Open()
    {
        _store = new SqliteStore(DataRoot);
        _firewall?.Dispose();
        _firewall = Engine.Drivers.Bridge.Firewall.BridgeFirewallPolicy.Create(_firewallBackend, Net.HostNs);
        Bridge = new BridgeDriver(Net.HostNs, Net.Host, new KernelBridgeFirewall(_firewall), reapDelay: _reapDelay);
        var parents = new ParentLinks(Net.Host);
        INetworkDriver[] drivers = [Bridge, new NullDriver(), new HostDriver(), new MacvlanDriver(Net.Host, parents), new IpvlanDriver(Net.Host, parents), .. _extraDrivers?.Invoke(Net) ?? []];
        var controller = new NetworkController(Options, _store, IpamService.Create(), drivers, Net.HostNs, Net.Host);
        LastRestoreLog = controller.Restore();
        return controller;
    }

    /// <summary>Runs a command inside a sandbox (through the controller, as users will) and returns exit code and output.</summary>
    public (int ExitCode, string Output) Exec(string sandbox, params string[] command) => Run(sandbox, command, privileged: false);

    /// <summary>As <see cref="Exec"/>, with every capability (docker exec --privileged): for what a test sets up inside, such as neighbours.</summary>
    public (int ExitCode, string Output) ExecPrivileged(string sandbox, params string[] command) => Run(sandbox, command, privileged: true);

    private (int ExitCode, string Output) Run(string sandbox, string[] command, bool privileged)
    {
        using var p = Controller.StartProcess(sandbox, command, psi =>
        {
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
        }, privileged);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(20_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{string.Join(' ', command)} in {sandbox} did not finish");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    public bool Ping(string sandbox, string address) =>
        Exec(sandbox, "busybox", "ping", "-c", "1", "-W", "2", address).ExitCode == 0;

    /// <summary>The bridge driver of the current controller.</summary>
    public BridgeDriver Bridge { get; private set; } = null!;

    /// <summary>Deletes the veths detaches parked now, as the driver's reaper does shortly after a detach.</summary>
    public void Reap() => Bridge.Reaper.ReapNow();

    /// <summary>Link names in the world's host namespace, lo excluded, once parked veths are reaped.</summary>
    public string[] HostLinks()
    {
        Reap();
        return Net.Host.ListLinks().Select(l => l.Name).Where(n => n != "lo").Order().ToArray();
    }

    public void Dispose()
    {
        Controller.Dispose();
        _firewall?.Dispose();
        _store?.Dispose();
        var namespaces = new NamespaceDirectory(Options.NamespaceDirectory);
        foreach (var name in namespaces.List().ToList()) namespaces.Delete(name);
        if (Directory.Exists(namespaces.Root)) namespaces.Release();
        if (Directory.Exists(Options.ExecRoot)) Directory.Delete(Options.ExecRoot, recursive: true);
        Net.Dispose();
        Directory.Delete(DataRoot, recursive: true);
    }
}
