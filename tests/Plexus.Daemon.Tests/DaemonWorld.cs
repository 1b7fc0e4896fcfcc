using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using Plexus.Api;
using Plexus.Kernel.ProcFs;
using Plexus.Client;
using Plexus.Kernel.Namespaces;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// A plexusd running inside a fresh network namespace of its own (its "host"), with its own socket,
/// data root and exec root, driven the way users drive it: over HTTP on the socket, or with the real
/// docker client. <see cref="Kill"/> and <see cref="Start"/> simulate crashes and restarts.
/// </summary>
public sealed class DaemonWorld : IDisposable
{
    private Process? _daemon;

    public DaemonWorld()
    {
        Net = new TestNetwork();
        Root = $"/run/plexus-test/{Net.Id}-daemon";
        Directory.CreateDirectory(Root);
        Socket = Path.Combine(Root, "plexus.sock");
        PluginSocket = Path.Combine(Root, "plugins", "plexus.sock");
        ExecRoot = Path.Combine(Root, "exec");
        DataRoot = Directory.CreateTempSubdirectory("plexus-daemon-test-").FullName;
        Files = Directory.CreateDirectory($"/run/plexus-test/{Net.Id}-files").FullName;
        Http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Socket), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://plexus/v1.45/"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public TestNetwork Net { get; }

    /// <summary>
    /// A directory for files the sandboxes' processes read (web roots): not under <see cref="Root"/>, whose socket
    /// directory, data root and exec root plexusd hides from the processes it starts.
    /// </summary>
    public string Files { get; }

    public string Root { get; }
    public string Socket { get; }

    /// <summary>Docker's plugin protocol: in the world's own folder, never the machine's /run/docker/plugins.</summary>
    public string PluginSocket { get; }
    public string ExecRoot { get; }
    public string DataRoot { get; }
    public HttpClient Http { get; }

    /// <summary>The typed client the CLI uses (Plexus.Client), for tests that want answers rather than HTTP.</summary>
    public DaemonClient Client => new(DaemonHost.Parse("unix://" + Socket));
    public string Log { get; private set; } = "";

    /// <summary>Environment variables the daemon is started with, on top of the tests' own (e.g. a PATH without a tool).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The running plexusd's process id (0 when stopped).</summary>
    public int DaemonPid => _daemon?.Id ?? 0;

    public static string DaemonDll => Path.Combine(AppContext.BaseDirectory, "plexusd.dll");

    /// <summary>Starts plexusd inside the world's host namespace and waits until it answers.</summary>
    public void Start(params string[] extraArgs)
    {
        Launch(extraArgs);
        WaitReady();
    }

    /// <summary>Starts plexusd and returns at once, while it restores (a crash test kills it then).</summary>
    public void Launch(params string[] extraArgs)
    {
        var psi = new ProcessStartInfo("dotnet",
        [
            DaemonDll, "-H", "unix://" + Socket, "--data-root", DataRoot, "--exec-root", ExecRoot,
            "--config-file", Path.Combine(Root, "daemon.json"), "--plugin-socket", PluginSocket, .. extraArgs,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (!File.Exists(Path.Combine(Root, "daemon.json"))) File.WriteAllText(Path.Combine(Root, "daemon.json"), "{}");
        foreach (var (name, value) in Environment) psi.Environment[name] = value;
        _daemon = Net.HostNs.StartProcess(psi);
        var output = new System.Text.StringBuilder();
        // Both streams' handlers run concurrently: read the text under the same lock as the appends.
        _daemon.OutputDataReceived += (_, e) => { lock (output) Log = output.AppendLine(e.Data).ToString(); };
        _daemon.ErrorDataReceived += (_, e) => { lock (output) Log = output.AppendLine(e.Data).ToString(); };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
    }

    private void WaitReady()
    {
        if (_daemon is null) throw new InvalidOperationException("plexusd was not launched");
        // Generous: a loaded machine can take long to start .NET and restore many sandboxes.
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (_daemon.HasExited) throw new InvalidOperationException($"plexusd exited with {_daemon.ExitCode}: {Log}");
            try
            {
                // /_ping answers while the engine still opens (restore); /networks waits for it, as every request on state does.
                if (Http.GetStringAsync("_ping").Result == "OK" && Http.GetAsync("networks").Result.IsSuccessStatusCode) return;
            }
            catch (AggregateException)
            {
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"plexusd did not answer within 120 s: {Log}");
    }

    /// <summary>SIGKILL: no chance to clean up, as in a crash.</summary>
    public void Kill()
    {
        if (_daemon is null) return;
        _daemon.Kill();
        _daemon.WaitForExit();
        _daemon.Dispose();
        _daemon = null;
    }

    /// <summary>SIGTERM: the daemon stops serving and keeps networks as they are.</summary>
    public int Stop()
    {
        if (_daemon is null) return 0;
        Processes.Run("kill", ["-TERM", _daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!_daemon.WaitForExit(20_000)) _daemon.Kill();
        _daemon.WaitForExit();
        int code = _daemon.ExitCode;
        _daemon.Dispose();
        _daemon = null;
        return code;
    }

    /// <summary>The real docker client against this daemon.</summary>
    public (int ExitCode, string Output) Docker(params string[] args) =>
        Processes.Run("docker", ["-H", "unix://" + Socket, .. args], 60_000);

    public T Get<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Http.GetFromJsonAsync(path, type).Result!;

    public HttpResponseMessage Post<T>(string path, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Http.PostAsJsonAsync(path, body, type).Result;

    /// <summary>Runs a command inside a sandbox through the API and returns exit code and output.</summary>
    public ExecResultJson Exec(string sandbox, params string[] cmd)
    {
        using var client = Client;
        return client.ExecAsync(sandbox, new ExecJson { Cmd = [.. cmd] }, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Link names in the daemon's host namespace, lo excluded, once the daemon's reaper has deleted what detaches
    /// parked (it does within a fraction of a second; a parked link is out of service but still listed).
    /// </summary>
    public string[] HostLinks()
    {
        for (int i = 0; i < 200 && Net.Host.ListLinks().Any(l => l.Group == Plexus.Engine.Drivers.Bridge.BridgeDriver.ParkedGroup); i++)
            Thread.Sleep(50);
        return Net.Host.ListLinks().Select(l => l.Name).Where(n => n != "lo").Order().ToArray();
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            Http.Dispose();
            var namespaces = new NamespaceDirectory(Path.Combine(ExecRoot, "netns"));
            foreach (var name in namespaces.List().ToList())
            {
                // What plexusd started in its sandboxes outlives it, as containers outlive a daemon restart (and a
                // test may have killed it): end those processes here, found by their namespace, or they stay forever.
                var inode = ProcessTable.InodeOf(namespaces.PathOf(name));
                if (inode != 0)
                    foreach (var pid in ProcessTable.InNetworkNamespace(inode)) KillQuietly(pid);
                namespaces.Delete(name);
            }
            if (Directory.Exists(namespaces.Root)) namespaces.Release();
            Directory.Delete(Root, recursive: true);
            Directory.Delete(DataRoot, recursive: true);
            Directory.Delete(Files, recursive: true);
            Net.Dispose();
        }
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            p.Kill();
            p.WaitForExit(5000);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }
}
