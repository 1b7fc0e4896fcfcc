using Microsoft.Extensions.Logging;
using Plexus.Engine.Controller;
using Plexus.Engine.Dns;
using Plexus.Engine.Drivers;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using Plexus.Engine.Store;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Rtnl;

namespace Plexus.Engine.Tests.Controller.Rootless;

/// <summary>
/// A real controller, store (SQLite in a temporary directory), IPAM and sandbox files, with only the parts that
/// touch the machine stood in for (<see cref="ControllerMachine"/>) and scripted drivers: runs as any user.
/// </summary>
internal sealed class RootlessWorld : IDisposable
{
    private readonly NetworkNamespace _self = NetworkNamespace.OpenProcess();
    private readonly RtNetlink _host = RtNetlink.Open(); // read-only here: the subnets the host is on

    public RootlessWorld(params INetworkDriver[] extraDrivers)
    {
        Root = Directory.CreateTempSubdirectory("plexus-rootless-").FullName;
        Store = new SqliteStore(Path.Combine(Root, "data"));
        Namespaces = new PretendNamespaces(Path.Combine(Root, "exec", "netns"));
        var options = new ControllerOptions { DataRoot = Path.Combine(Root, "data"), ExecRoot = Path.Combine(Root, "exec"), DefaultDns = ["192.0.2.53"] };
        Controller = new NetworkController(options, Store, IpamService.Create(), [Driver, Exclusive, .. extraDrivers], _self, _host, new ControllerMachine
        {
            Namespaces = Namespaces,
            Networking = Networking,
            Resolvers = Resolvers,
        })
        {
            Logger = Log,
        };
        Controller.Restore();
    }

    public string Root { get; }

    public SqliteStore Store { get; }

    public ScriptedDriver Driver { get; } = ScriptedDriver.Bridgelike();

    public ScriptedDriver Exclusive { get; } = ScriptedDriver.Exclusive();

    public PretendNamespaces Namespaces { get; }

    public RecordingNetworking Networking { get; } = new();

    public PretendResolvers Resolvers { get; } = new();

    public MemoryLog Log { get; } = new();

    public NetworkController Controller { get; }

    /// <summary>A network of the scripted driver on <paramref name="subnet"/> (gateway .1).</summary>
    public NetworkState Network(string name, string subnet, bool @internal = false, string driver = ScriptedDriver.Default) =>
        Controller.CreateNetwork(new NetworkCreateRequest
        {
            Name = name,
            Driver = driver,
            Internal = @internal,
            IpamConfigs = driver == ScriptedDriver.Default ? [new IpamRequest { Subnet = System.Net.IPNetwork.Parse(subnet) }] : [],
        });

    public Engine.Sandboxes.Sandbox Sandbox(string name) => Controller.CreateSandbox(new SandboxCreateRequest { Name = name });

    /// <summary>The addresses <paramref name="name"/> resolves to for <paramref name="asker"/> through the registry its resolver answers from.</summary>
    public IReadOnlyList<System.Net.IPAddress> Resolve(Engine.Sandboxes.Sandbox asker, string name) =>
        Controller.Names.Lookup(asker.Id, name, DnsType.A).Addresses;

    /// <summary>The endpoints the store holds, as a restart would find them.</summary>
    public IReadOnlyList<EndpointState> StoredEndpoints() => Store.Load().Endpoints;

    public void Dispose()
    {
        Controller.Dispose();
        Store.Dispose();
        _host.Dispose();
        _self.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>Keeps what the engine logs, to check it reports what it could not roll back.</summary>
internal sealed class MemoryLog : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add(formatter(state, exception) + (exception is null ? "" : " | " + exception.Message));
    }
}
