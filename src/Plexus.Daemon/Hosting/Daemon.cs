using Plexus.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Plexus.Daemon.Api;
using Plexus.Daemon.Config;
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

    public static int Run(DaemonSettings settings)
    {
        var socket = settings.SocketPath;
        var socketGroup = SocketGroup.Resolve(settings.Group, settings.GroupExplicit);
        UnixSocketGuard.Prepare(socket);
        if (settings.PluginSocket is { } plugin) UnixSocketGuard.Prepare(plugin);
        Kernel.Sockets.DescriptorRange.RaiseOpenFilesLimit(); // four descriptors per sandbox
        // Engine operations are synchronous (kernel calls, per-object locks): requests that wait on one object
        // hold pool threads, and the pool adds threads slowly beyond its minimum. A higher minimum keeps
        // unrelated requests answered while some wait.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        // The engine (store, firewall, restore) and the web host are built side by side, on the two cores a small
        // host has: they share nothing until the routes are mapped, and building the host (DI, logging, Kestrel)
        // was a third of an empty start's time in a trace, spent while the engine's work waited for it.
        var opening = Task.Run(() => EngineComposition.Open(settings));
        WebApplication app;
        try
        {
            app = BuildHost(settings, socket, () => opening.GetAwaiter().GetResult());
            settings = settings with { DaemonId = StableId(settings.DataRoot) };
        }
        catch
        {
            DisposeWhenOpen(opening);
            throw;
        }
        try
        {
            return Serve(app, opening, settings, socket, socketGroup);
        }
        finally
        {
            DisposeWhenOpen(opening);
        }
    }

    /// <summary>The host: Kestrel on the socket, logging, and the services the endpoints take (the engine's once it is open).</summary>
    private static WebApplication BuildHost(DaemonSettings settings, string socket, Func<EngineComposition> engine)
    {
        // The empty builder: Kestrel's core, routing and logging, and nothing else. The slim builder also reads
        // configuration (environment, appsettings.json) and watches the content root, which is the working
        // directory, recursively for changes: from systemd (cwd "/") that walked the whole filesystem at start.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Logging.SetMinimumLevel(settings.LogLevel switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        });
        builder.Logging.AddProvider(new ConsoleLines(json: settings.LogFormat == "json"));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning); // plexusd says itself when it listens and stops
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(socket, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                l.Use(UpgradeWithBody.Wrap); // docker exec takes over a connection whose request has a body
            });
            if (settings.PluginSocket is { } plugin)
            {
                k.ListenUnixSocket(plugin, l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    l.Use(Plugin.PluginEndpoints.MarkConnections);
                });
            }
            k.AddServerHeader = false;
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DaemonJson.Relaxed));
        builder.Services.AddDockerErrors();
        builder.Services.AddSingleton(_ => engine().Controller);
        builder.Services.AddSingleton<ProcessSupervisor>();
        builder.Services.AddSingleton<IMainProcessStarter>(services => services.GetRequiredService<ProcessSupervisor>());
        builder.Services.AddSingleton(_ => engine().Controller.Options);
        builder.Services.AddSingleton(_ => engine().PluginIpam);
        builder.Services.AddSingleton<SandboxCreation>();
        builder.Services.AddSingleton<KernelFeatureProbe>();
        builder.Services.AddSingleton<ExecSessions>();
        return builder.Build();
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
    /// Serves as soon as the host is built, while the engine may still be opening (store, firewall, restore):
    /// /_ping and /version answer at once, and every request that needs the engine waits for it, because the
    /// engine's services are resolved from the opening (see <see cref="BuildHost"/>): nothing is reported
    /// before restore has made the kernel match the store. systemd hears READY=1 only once both are done.
    /// An engine that fails to open stops the daemon with its error, as before.
    /// </summary>
    private static int Serve(WebApplication app, Task<EngineComposition> opening, DaemonSettings settings, string socket, uint? socketGroup)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("plexusd");
        IDisposable? engineLog = null;
        var opened = opening.ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully)
            {
                app.Lifetime.StopApplication(); // Run returns, and the failure is thrown below
                return;
            }
            var engine = t.Result;
            engine.Controller.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("plexus.engine");
            engineLog = ControllerEventLog.Attach(engine.Controller.Events, engine.Controller.Logger);
            foreach (var line in engine.RestoreLog) LogRestore(logger, line);
            try
            {
                engine.StartCluster(settings, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("plexus.cluster"));
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
        if (settings.PluginSocket is not null) Plugin.PluginEndpoints.Map(app); // first: its own branch
        app.UseDockerErrors();
        app.UseApiVersions(); // /v1.45/networks is /networks; versions outside the range are refused
        app.UseRouting(); // after the rewrite, so routes match the unversioned path
        SystemEndpoints.Map(app, settings);
        NetworksEndpoints.Map(app);
        ContainersEndpoints.Map(app);
        SandboxesEndpoints.Map(app);
        GraphEndpoints.Map(app, new Graph.Rendering.Graphviz());
        SwarmEndpoints.Map(app);
        EventsEndpoints.Map(app);
        ExecEndpoints.Map(app);
        CniEndpoints.Map(app);

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            if (socketGroup is { } gid) SocketGroup.Apply(socket, gid);
            if (settings.PluginSocket is { } plugin) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite); // dockerd runs as root
            opened.ContinueWith(_ =>
            {
                if (!opening.IsCompletedSuccessfully) return;
                LogListening(logger, ApiInfo.Version, socket, settings.FirewallBackend, settings.DataRoot);
                UnixSocketGuard.NotifySystemd("READY=1");
            }, TaskScheduler.Default);
        });
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            LogStopping(logger);
            UnixSocketGuard.NotifySystemd("STOPPING=1");
        });
        try
        {
            app.Run();
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
