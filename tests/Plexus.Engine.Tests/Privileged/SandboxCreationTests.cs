using Microsoft.Extensions.Logging;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.Ports;
using Plexus.Engine.Tests.Support;
using Plexus.Engine.UseCases;
using Plexus.Testing;

namespace Plexus.Engine.Tests.Privileged;

/// <summary>`plexus run` as the engine's use case: sandbox, network, process, all or nothing.</summary>
[Trait("Category", "Privileged")]
public sealed class SandboxCreationTests
{
    [PrivilegedFact]
    public void A_sandbox_is_created_joined_and_its_process_started()
    {
        using var w = new EngineWorld();
        var net = w.Controller.CreateNetwork(new NetworkCreateRequest { Name = "web" });
        var processes = new Starter();
        var id = new SandboxCreation(w.Controller, processes, new MemoryLog()).Run(new SandboxRunRequest
        {
            Sandbox = new SandboxCreateRequest { Name = "api" },
            Network = "web",
            Command = ["sleep", "60"],
            Environment = ["A=1"],
        });
        var sandbox = w.Controller.GetSandbox("api");
        Assert.Equal(id, sandbox.Id);
        Assert.Equal(net.Id, Assert.Single(w.Controller.EndpointsOf(sandbox)).NetworkId);
        Assert.Equal([(id, "sleep 60", "A=1")], processes.Started);
    }

    [PrivilegedFact]
    public void A_process_that_cannot_start_removes_the_sandbox_and_its_endpoint_and_the_error_is_the_callers()
    {
        using var w = new EngineWorld();
        var net = w.Controller.CreateNetwork(new NetworkCreateRequest { Name = "web" });
        // The bridge exists once a sandbox has joined; what stays after one has come and gone is the baseline.
        var probe = w.Controller.CreateSandbox(new SandboxCreateRequest { Name = "probe" });
        w.Controller.Connect("web", probe.Id, new EndpointCreateRequest());
        w.Controller.DeleteSandbox(probe.Id);
        var linksBefore = w.HostLinks();
        var log = new MemoryLog();
        var e = Assert.Throws<PlexusException>(() => new SandboxCreation(w.Controller, new Starter(fail: true), log).Run(new SandboxRunRequest
        {
            Sandbox = new SandboxCreateRequest { Name = "api" },
            Network = "web",
            Command = ["no-such-command"],
        }));
        Assert.Equal("cannot start 'no-such-command'", e.Message);
        Assert.Empty(w.Controller.Sandboxes);
        Assert.Empty(w.Controller.EndpointsOf(net));
        w.Reap();
        Assert.Equal(linksBefore, w.HostLinks()); // the veth went with the endpoint
        Assert.Contains(log.Lines, l => l.Contains("sandbox api not created: cannot start 'no-such-command'", StringComparison.Ordinal));
        // The name is free again.
        new SandboxCreation(w.Controller, new Starter(), log).Run(new SandboxRunRequest { Sandbox = new SandboxCreateRequest { Name = "api" } });
    }

    [PrivilegedFact]
    public void A_missing_network_or_ports_without_a_network_are_refused_before_anything_is_made()
    {
        using var w = new EngineWorld();
        var creation = new SandboxCreation(w.Controller, new Starter(), new MemoryLog());
        var missing = Assert.Throws<PlexusException>(() => creation.Run(new SandboxRunRequest { Sandbox = new SandboxCreateRequest { Name = "a" }, Network = "nope" }));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        var ports = Assert.Throws<PlexusException>(() => creation.Run(new SandboxRunRequest
        {
            Sandbox = new SandboxCreateRequest { Name = "a" },
            Endpoint = new EndpointCreateRequest { PublishedPorts = [new PortBinding(PortProtocol.Tcp, 80, null, 8080)] },
        }));
        Assert.Equal("publishing ports needs a network (--network)", ports.Message);
        Assert.Empty(w.Controller.Sandboxes);
        Assert.False(Directory.Exists(w.Options.NamespaceDirectory) && Directory.EnumerateFileSystemEntries(w.Options.NamespaceDirectory).Any());
    }

    private sealed class Starter(bool fail = false) : IMainProcessStarter
    {
        public List<(string Sandbox, string Command, string Environment)> Started { get; } = [];

        public void StartMain(string sandboxId, IReadOnlyList<string> command, IReadOnlyList<string> environment)
        {
            if (fail) throw PlexusException.Invalid($"cannot start '{command[0]}'");
            Started.Add((sandboxId, string.Join(' ', command), string.Join(' ', environment)));
        }
    }

    /// <summary>Keeps what the engine logs, to check it says what it rolled back.</summary>
    private sealed class MemoryLog : ILogger<SandboxCreation>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }
}
