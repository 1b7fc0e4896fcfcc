using Plexus.Api;
using System.Runtime.InteropServices;
using Plexus.Daemon.Api;
using Plexus.Daemon.Config;
using Plexus.Daemon.Http;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;
using Plexus.Engine.UseCases;
using Plexus.Kernel.Firewall;

namespace Plexus.Daemon.Hosting;

/// <summary>Starts the engine, serves the API until SIGTERM, and leaves networks as they are on exit.</summary>
internal static partial class Daemon
{
    [LoggerMessage(Level = LogLevel.Information, Message = "restore: {Line}")]
    private static partial void LogRestore(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "plexusd {Version} listening on {Socket} (firewall: {Backend}, data root: {DataRoot})")]
    private static partial void LogListening(ILogger logger, string version, string socket, string backend, string dataRoot);

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping; networks and sandboxes are kept as they are")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Repair}")]
    private static partial void LogFirewallRepaired(ILogger logger, FirewallRepair repair);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Repair}; until they are, network changes fail")]
    private static partial void LogFirewallDamaged(ILogger logger, FirewallRepair repair);

    [LoggerMessage(Level = LogLevel.Error, Message = "cluster: cannot join: {Error}")]
    private static partial void LogClusterFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "firewall: {Warning}")]
    private static partial void LogFirewallWarning(ILogger logger, string warning);

    /// <summary>After SIGTERM, how long requests in flight may take before the connections left (streams) are closed.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public static int Run(DaemonSettings settings)
    {
        var socket = settings.SocketPath;
        var socketGroup = SocketGroup.Resolve(settings.Group, settings.GroupExplicit);
        UnixSocketGuard.Prepare(socket);
        if (settings.PluginSocket is { } plugin) UnixSocketGuard.Prepare(plugin);
        Kernel.Sockets.DescriptorRange.RaiseOpenFilesLimit(); // four descriptors per sandbox
        // Concurrent attaches: their rtnetlink requests queue for one sender instead of spinning on the kernel's lock.
        Kernel.Netlink.RtnlLane.Enabled = true;
        // Engine operations are synchronous (kernel calls, per-object locks): requests that wait on one object
        // hold pool threads, and the pool adds threads slowly beyond its minimum. A higher minimum keeps
        // unrelated requests answered while some wait.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        // The engine (store, firewall, restore) opens on another core while the server is built and starts: they
        // share nothing until a request needs the engine, and such a request waits for it (DaemonServices).
        var opening = Task.Run(() => EngineComposition.Open(settings));
        using var logs = Logging(settings);
        DaemonServices services;
        ApiServer server;
        ApiApplication application;
        try
        {
            settings = settings with { DaemonId = StableId(settings.DataRoot) };
            services = new DaemonServices(opening, settings, logs);
            application = new ApiApplication(Routes(settings), services,
                settings.PluginSocket is null ? null : Plugin.PluginEndpoints.Dispatcher(services));
            server = new ApiServer(socket, settings.PluginSocket, logs);
        }
        catch
        {
            DisposeWhenOpen(opening);
            throw;
        }
        try
        {
            return Serve(server, application, services, opening, settings, socket, socketGroup);
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            services.Dispose();
            DisposeWhenOpen(opening);
        }
    }

    /// <summary>plexusd's log: its own console lines, at the level asked; Kestrel says only warnings and errors.</summary>
    private static LoggerFactory Logging(DaemonSettings settings)
    {
        var filter = new LoggerFilterOptions
        {
            MinLevel = settings.LogLevel switch
            {
                "debug" => LogLevel.Debug,
                "warn" => LogLevel.Warning,
                "error" => LogLevel.Error,
                _ => LogLevel.Information,
            },
        };
        filter.Rules.Add(new LoggerFilterRule(null, "Microsoft", LogLevel.Warning, null)); // plexusd says itself when it listens and stops
        return new LoggerFactory([new ConsoleLines(json: settings.LogFormat == "json")], filter);
    }

    /// <summary>The Docker API's routes and Plexus's own.</summary>
    private static ApiRoutes Routes(DaemonSettings settings)
    {
        var routes = new ApiRoutes();
        SystemEndpoints.Map(routes, settings);
        NetworksEndpoints.Map(routes);
        ContainersEndpoints.Map(routes);
        SandboxesEndpoints.Map(routes);
        GraphEndpoints.Map(routes, new Graph.Rendering.Graphviz());
        SwarmEndpoints.Map(routes);
        EventsEndpoints.Map(routes);
        ExecEndpoints.Map(routes);
        CniEndpoints.Map(routes);
        return routes;
    }

    private static void DisposeWhenOpen(Task<EngineComposition> opening)
    {
        try
        {
            opening.GetAwaiter().GetResult().Dispose();
        }
        catch (Exception e) when (e is PlexusException or Kernel.KernelException or IOException)
        {
            // the host's failure is the one to report
        }
    }

    /// <summary>
    /// Serves as soon as the server has started, while the engine may still be opening (store, firewall, restore):
    /// /_ping and /version answer at once, and every request that needs the engine waits for it, because the
    /// engine's services come from the opening (<see cref="DaemonServices"/>): nothing is reported before restore
    /// has made the kernel match the store. systemd hears READY=1 only once both are done. An engine that fails
    /// to open stops the daemon with its error. SIGTERM, SIGINT and SIGQUIT stop it.
    /// </summary>
    private static int Serve(ApiServer server, ApiApplication application, DaemonServices services, Task<EngineComposition> opening,
        DaemonSettings settings, string socket, uint? socketGroup)
    {
        var logs = services.Logs;
        var logger = logs.CreateLogger("plexusd");
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IDisposable? engineLog = null;
        var opened = opening.ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully)
            {
                stopping.TrySetResult(); // the server stops, and the failure is thrown below
                return;
            }
            var engine = t.Result;
            engine.Controller.Logger = logs.CreateLogger("plexus.engine");
            engineLog = ControllerEventLog.Attach(engine.Controller.Events, engine.Controller.Logger);
            foreach (var line in engine.RestoreLog) LogRestore(logger, line);
            try
            {
                engine.StartCluster(settings, logs.CreateLogger("plexus.cluster"));
            }
            catch (Exception e) when (e is Engine.Store.GlobalStoreUnavailableException or ArgumentException)
            {
                LogClusterFailed(logger, e.Message); // local networks work without the cluster
            }
            // From here on, rules that someone else flushes or deletes come back by themselves (issue 11).
            engine.Firewall.Repaired += (_, repair) =>
            {
                if (repair.Succeeded) LogFirewallRepaired(logger, repair);
                else LogFirewallDamaged(logger, repair);
            };
            try
            {
                engine.Firewall.StartWatching();
            }
            catch (Kernel.KernelException e)
            {
                LogFirewallWarning(logger, $"cannot watch the ruleset, so rules flushed by others will not come back until a restart: {e.Message}");
            }
            foreach (var warning in engine.Firewall.Warnings) LogFirewallWarning(logger, warning);
            // Restore rebuilds the sandboxes side by side on 8 threads, and the heap it grew for that stayed committed:
            // with 1000 restored plexusd held 85 MB where the same 1000 made one by one hold 60. One collection that
            // compacts and hands the free memory back, once, after the engine is open (a few ms, off the ready path).
            if (engine.Controller.Sandboxes.Count > 0)
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // plexusd ends by itself, once the server has stopped
            stopping.TrySetResult();
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
        try
        {
            server.StartAsync(application).GetAwaiter().GetResult();
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            if (socketGroup is { } gid) SocketGroup.Apply(socket, gid);
            if (settings.PluginSocket is { } plugin) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite); // dockerd runs as root
            opened.ContinueWith(_ =>
            {
                if (!opening.IsCompletedSuccessfully) return;
                LogListening(logger, ApiInfo.Version, socket, settings.FirewallBackend, settings.DataRoot);
                UnixSocketGuard.NotifySystemd("READY=1");
            }, TaskScheduler.Default);
            stopping.Task.GetAwaiter().GetResult();
            LogStopping(logger);
            UnixSocketGuard.NotifySystemd("STOPPING=1");
            services.BeginStop();
            server.StopAsync(StopGrace).GetAwaiter().GetResult();
            opening.GetAwaiter().GetResult(); // an engine that could not open is the daemon's failure
        }
        finally
        {
            opened.Wait();
            engineLog?.Dispose();
        }
        return 0;
    }

    /// <summary>
    /// An id for /info that stays the same across restarts of one data root: made once and kept in the data
    /// root's engine-id file, as dockerd keeps its own (no hash: that would load OpenSSL at start).
    /// </summary>
    private static string StableId(string dataRoot)
    {
        // The store makes the data root too, side by side with this; both make it private.
        Directory.CreateDirectory(dataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = Path.Combine(dataRoot, "engine-id");
        try
        {
            var id = File.ReadAllText(file).Trim();
            if (id.Length == 32 && Engine.Model.Ids.IsHex(id)) return id;
        }
        catch (IOException)
        {
            // none yet
        }
        var made = Guid.NewGuid().ToString("N");
        File.WriteAllText(file, made + "\n");
        return made;
    }
}
