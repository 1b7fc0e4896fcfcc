using Plexus.Api;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Plexus.Daemon.Api;
using Plexus.Daemon.Config;
using Plexus.Engine.Controller;
using Plexus.Engine.Model;

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

    public static int Run(DaemonSettings settings)
    {
        var socket = settings.SocketPath;
        UnixSocketGuard.Prepare(socket);
        using var engine = EngineComposition.Open(settings);
        settings = settings with { DaemonId = engine.Store is Engine.Store.SqliteStore ? StableId(settings.DataRoot) : "" };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (settings.LogFormat == "json") builder.Logging.AddJsonConsole();
        else builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(socket, l => l.Protocols = HttpProtocols.Http1);
            k.AddServerHeader = false;
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DaemonJson.Default));
        builder.Services.AddDockerErrors();
        builder.Services.AddSingleton(engine.Controller);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<ProcessSupervisor>();

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("plexusd");
        foreach (var line in engine.RestoreLog) LogRestore(logger, line);
        app.UseDockerErrors();
        // Docker clients put the API version in front of every path (/v1.41/networks); strip it.
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.Length > 2 && path[1] == 'v' && char.IsAsciiDigit(path[2]))
            {
                int slash = path.IndexOf('/', 1);
                context.Request.Path = slash < 0 ? "/" : path[slash..];
            }
            return next(context);
        });
        app.UseRouting(); // after the rewrite, so routes match the unversioned path
        SystemEndpoints.Map(app, settings);
        NetworksEndpoints.Map(app);
        ContainersEndpoints.Map(app);
        SandboxesEndpoints.Map(app);

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            LogListening(logger, ApiInfo.Version, socket, settings.FirewallBackend, settings.DataRoot);
            UnixSocketGuard.NotifySystemd("READY=1");
        });
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            LogStopping(logger);
            UnixSocketGuard.NotifySystemd("STOPPING=1");
        });
        app.Run();
        return 0;
    }

    /// <summary>An id for /info that stays the same across restarts of one data root.</summary>
    private static string StableId(string dataRoot) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataRoot))))[..32];
}
