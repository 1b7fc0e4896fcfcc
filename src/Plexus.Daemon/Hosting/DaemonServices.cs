using Plexus.Daemon.Config;
using Plexus.Daemon.Plugin;
using Plexus.Engine.Controller;
using Plexus.Engine.UseCases;

namespace Plexus.Daemon.Hosting;

/// <summary>
/// What the endpoints use, made once and at first use: the engine's controller (which waits for the engine to
/// open: a request that needs it is not answered before restore has made the kernel match the store), the
/// main-process supervisor, sandbox creation, the kernel feature probe and exec sessions. Plain fields, not a
/// container: the set is small and fixed, and building a container was a sixth of an empty start's CPU.
/// </summary>
internal sealed class DaemonServices(Task<EngineComposition> opening, DaemonSettings settings, ILoggerFactory logs) : IDisposable
{
    private ProcessSupervisor? _processes;
    private SandboxCreation? _creation;
    private KernelFeatureProbe? _features;
    private ExecSessions? _exec;
    private readonly CancellationTokenSource _stopping = new();
    private object? _gate;

    public DaemonSettings Settings => settings;

    /// <summary>
    /// Cancelled when the daemon begins to stop: endless streams (events, logs -f) end then, and the server's stop
    /// does not wait out its grace for them.
    /// </summary>
    public CancellationToken Stopping => _stopping.Token;

    public void BeginStop() => _stopping.Cancel();

    public ILoggerFactory Logs => logs;

    public EngineComposition Engine => opening.GetAwaiter().GetResult();

    public NetworkController Controller => Engine.Controller;

    public PluginIpam PluginIpam => Engine.PluginIpam;

    public ProcessSupervisor Processes => Once(ref _processes, () => new ProcessSupervisor(Controller));

    public SandboxCreation SandboxCreation =>
        Once(ref _creation, () => new SandboxCreation(Controller, Processes, new Logger<SandboxCreation>(logs)));

    public KernelFeatureProbe Features =>
        Once(ref _features, () => new KernelFeatureProbe(Controller.Options, new Logger<KernelFeatureProbe>(logs)));

    public ExecSessions ExecSessions => Once(ref _exec, () => new ExecSessions(Controller));

    /// <summary>Made once, at first use, under one lock (several requests may ask at once).</summary>
    private T Once<T>(ref T? field, Func<T> make) where T : class => LazyInitializer.EnsureInitialized(ref field, ref _gate, make);

    public void Dispose()
    {
        Volatile.Read(ref _processes)?.Dispose();
        _stopping.Dispose();
    }
}
