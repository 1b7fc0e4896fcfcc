using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Plexus.Docker.Tests.Support;

/// <summary>
/// A machine running Docker with Plexus as its network plugin, as a user would have it: a network, mount and PID
/// namespace of its own (docker-host.sh is its PID 1) with a private /run and /etc/docker, plexusd (the JIT build
/// next to the tests, serving its API on a socket in <see cref="Dir"/> and the plugin protocol at the default
/// /run/docker/plugins/plexus.sock), then dockerd (its socket in <see cref="Dir"/> too, so that the docker client
/// here reaches it), and an outside world joined by a veth pair. Disposing ends every process of the namespace
/// and leaves no link, mount, cgroup or file.
/// </summary>
public sealed partial class DockerHost : IDisposable
{
    public const string Address = "10.99.0.1";
    public const string PluginSocket = "/run/docker/plugins/plexus.sock";

    private readonly Process _init;
    private readonly StringBuilder _initOutput = new();

    private DockerHost(string dir, string cgroup, Process init)
    {
        Dir = dir;
        Cgroup = cgroup;
        _init = init;
    }

    /// <summary>The host's directory on the machine's file system: sockets, logs, data roots.</summary>
    public string Dir { get; }

    /// <summary>The cgroup parent of dockerd's containers (removed with the host).</summary>
    public string Cgroup { get; }

    /// <summary>PID 1 of the host's namespaces, as the machine numbers it.</summary>
    public int Pid { get; private set; }

    public OutsideWorld Outside { get; private set; } = null!;
    public HostDaemon? Plexusd { get; private set; }
    public HostDaemon? Dockerd { get; private set; }

    public string DockerSocket => Path.Combine(Dir, "docker.sock");
    public string PlexusSocket => Path.Combine(Dir, "plexus.sock");
    public string PlexusLog => Path.Combine(Dir, "plexusd.log");
    public string DockerLog => Path.Combine(Dir, "dockerd.log");

    /// <summary>The plugin socket reached from outside the host's mount namespace, through its PID 1's root.</summary>
    public string PluginSocketFromHere => $"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/root{PluginSocket}";

    private static string Script => Path.Combine(AppContext.BaseDirectory, "docker-host.sh");
    private static string PlexusdDll => Path.Combine(AppContext.BaseDirectory, "plexusd.dll");
    private static string PlexusDll => Path.Combine(AppContext.BaseDirectory, "plexus.dll");

    /// <summary>The newer client where the machine has one (/usr/local/bin), else Debian's.</summary>
    public static string DockerCli => new[] { "/usr/local/bin/docker", "/usr/bin/docker" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("no docker client (scripts/setup.sh installs docker.io)");

    /// <summary>Starts a host: namespace, outside world, plexusd, dockerd, the image. Throws with both daemons' logs if any step fails.</summary>
    public static DockerHost Start()
    {
        foreach (var tool in new[] { "/usr/sbin/dockerd", "/usr/bin/containerd", "/usr/sbin/runc" })
            if (!File.Exists(tool) && !File.Exists(tool.Replace("/usr/sbin/", "/usr/bin/", StringComparison.Ordinal)))
                throw new InvalidOperationException($"{Path.GetFileName(tool)} is not installed (scripts/setup.sh installs docker.io)");
        var dir = Directory.CreateTempSubdirectory("plexus-docker-").FullName;
        var cgroup = "plexus-docker-test-" + Path.GetFileName(dir);
        var psi = new ProcessStartInfo("unshare",
            ["--net", "--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private", "--", "bash", Script, "init", dir, cgroup])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var init = Process.Start(psi) ?? throw new InvalidOperationException("could not start unshare");
        var host = new DockerHost(dir, cgroup, init);
        init.OutputDataReceived += (_, e) => { lock (host._initOutput) host._initOutput.AppendLine(e.Data); };
        init.ErrorDataReceived += (_, e) => { lock (host._initOutput) host._initOutput.AppendLine(e.Data); };
        init.BeginOutputReadLine();
        init.BeginErrorReadLine();
        try
        {
            host.Boot();
            return host;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or Xunit.Sdk.XunitException)
        {
            var message = host.Failure("the docker host did not start: " + e.Message);
            host.Dispose();
            throw new InvalidOperationException(message, e);
        }
    }

    private void Boot()
    {
        if (!Eventually.True(() => File.Exists(Path.Combine(Dir, "ready")) || _init.HasExited, 30, 50) || _init.HasExited)
            throw new InvalidOperationException("docker-host.sh init did not get ready");
        Pid = File.ReadAllText($"/proc/{_init.Id.ToString(CultureInfo.InvariantCulture)}/task/{_init.Id.ToString(CultureInfo.InvariantCulture)}/children")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Single();
        Outside = new OutsideWorld(Pid, Dir);
        CheckIn("ip", "addr", "add", $"{Address}/{OutsideWorld.Prefix}", "dev", "ext0");
        CheckIn("ip", "link", "set", "ext0", "up");
        CheckIn("ip", "route", "add", "default", "via", OutsideWorld.Address);
        File.WriteAllText(Path.Combine(Dir, "plexusd.json"), "{}");
        StartPlexusd();
        StartDockerd();
        var tar = Path.Combine(Dir, "image.tar");
        BusyboxImage.Write(tar);
        var imported = Docker("import", tar, BusyboxImage.Name);
        if (!imported.Ok) throw new InvalidOperationException($"docker import: {imported}");
        File.Delete(tar);
        if (!Eventually.True(() => File.Exists(PluginSocketFromHere), 30))
            throw new InvalidOperationException($"plexusd serves no plugin socket at {PluginSocket}");
    }

    /// <summary>Starts plexusd and waits until its API answers and the plugin socket exists.</summary>
    public void StartPlexusd(params string[] extraArgs)
    {
        if (Plexusd is { Running: true }) throw new InvalidOperationException("plexusd is already running");
        Plexusd = HostDaemon.Spawn("plexusd", Pid, Script, PlexusLog,
        [
            "dotnet", PlexusdDll, "-H", "unix://" + PlexusSocket, "--data-root", Path.Combine(Dir, "plexus-data"),
            "--exec-root", "/run/plexus", "--config-file", Path.Combine(Dir, "plexusd.json"), .. extraArgs,
        ]);
        // Generous: a loaded machine takes long to start .NET and restore.
        if (!Eventually.True(() => UnixHttp.Ping(PlexusSocket) || !Plexusd.Running, 120, 100) || !Plexusd.Running)
            throw new InvalidOperationException($"plexusd did not answer on {PlexusSocket}: {Plexusd.Tail()}");
    }

    /// <summary>Starts dockerd (its own containerd) and waits until it answers.</summary>
    public void StartDockerd()
    {
        if (Dockerd is { Running: true }) throw new InvalidOperationException("dockerd is already running");
        Dockerd = HostDaemon.Spawn("dockerd", Pid, Script, DockerLog,
        [
            "dockerd", "--data-root", Path.Combine(Dir, "docker-data"), "--exec-root", "/run/docker-exec",
            "-H", "unix://" + DockerSocket, "--iptables=false", "--bridge=none", "--pidfile", "/run/dockerd.pid",
            "--exec-opt", "native.cgroupdriver=cgroupfs", "--cgroup-parent", "/" + Cgroup,
        ]);
        if (!Eventually.True(() => UnixHttp.Ping(DockerSocket) || !Dockerd.Running, 120, 100) || !Dockerd.Running)
            throw new InvalidOperationException($"dockerd did not answer on {DockerSocket}: {Dockerd.Tail()}");
    }

    /// <summary>The docker client against this host's dockerd.</summary>
    public CommandResult Docker(params string[] args) =>
        Command.Run(DockerCli, ["-H", "unix://" + DockerSocket, .. args], 120_000,
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(Dir, "docker-config") });

    /// <summary>As <see cref="Docker"/>; a failure fails the test with docker's words and the daemons' logs.</summary>
    public string CheckDocker(params string[] args)
    {
        var r = Docker(args);
        if (!r.Ok) throw new Xunit.Sdk.XunitException(Failure($"docker {string.Join(' ', args)} failed with {r.ExitCode}: {r.Text}"));
        return r.Out.Trim();
    }

    /// <summary>The plexus CLI against this host's plexusd.</summary>
    public CommandResult Plexus(params string[] args) =>
        Command.Run("dotnet", [PlexusDll, "-H", "unix://" + PlexusSocket, .. args]);

    /// <summary>Runs a command in the host's network and mount namespaces (ip, nft, curl as the host sees things).</summary>
    public CommandResult In(params string[] command) =>
        Command.Run("nsenter", ["-t", Pid.ToString(CultureInfo.InvariantCulture), "-n", "-m", "--", .. command]);

    public string CheckIn(params string[] command)
    {
        var r = In(command);
        if (!r.Ok) throw new InvalidOperationException($"in the docker host: {string.Join(' ', command)}: {r}");
        return r.Out;
    }

    /// <summary>The host's links (`ip -o link`), lo excluded, by name.</summary>
    public string[] Links() =>
        CheckIn("ip", "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 3)[1].Trim().Split('@')[0]).Where(n => n != "lo").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Plexus's nftables table in the host, as `nft list table inet plexus` prints it (empty if none).</summary>
    public string PlexusRuleset()
    {
        var r = In("nft", "list", "table", "inet", "plexus");
        return r.Ok ? r.Out : "";
    }

    /// <summary>
    /// Plexus's table as a sorted list of its statements and set elements, counters removed: the same rules and
    /// elements compare equal whatever order a restore created chains in, and a rule made twice shows.
    /// </summary>
    public string[] PlexusRules() =>
        Counters().Replace(PlexusRuleset(), "").Split(['\n', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(t => t is not ("{" or "}")).Order(StringComparer.Ordinal).ToArray();

    /// <summary>What differs between two <see cref="PlexusRules"/> lists, for assertion messages.</summary>
    public static string RulesDiff(string[] before, string[] after)
    {
        var gone = before.ToList();
        var added = new List<string>();
        foreach (var t in after)
            if (!gone.Remove(t)) added.Add(t);
        return $"missing: [{string.Join(" | ", gone)}]; added: [{string.Join(" | ", added)}]";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" counter packets \d+ bytes \d+")]
    private static partial System.Text.RegularExpressions.Regex Counters();

    /// <summary>Command lines of every process in the host's PID namespace (daemons, shims, containers).</summary>
    public List<string> ProcessCommandLines()
    {
        var found = new List<string>();
        var proc = $"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/root/proc";
        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out _)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                if (cmdline.Length > 0) found.Add(cmdline);
            }
            catch (IOException)
            {
                // exited meanwhile
            }
        }
        return found;
    }

    /// <summary>A message with both daemons' last log lines, for a failed start or a failed step.</summary>
    public string Failure(string what)
    {
        var text = new StringBuilder(what);
        text.Append("\n--- dockerd (last lines) ---\n").Append(HostDaemon.Tail(DockerLog, 25, "module=grpc"));
        text.Append("\n--- plexusd (last lines) ---\n").Append(HostDaemon.Tail(PlexusLog));
        lock (_initOutput)
            if (_initOutput.ToString().Trim().Length > 0) text.Append("\n--- docker-host.sh ---\n").Append(_initOutput.ToString().Trim());
        return text.ToString();
    }

    public void Dispose()
    {
        try
        {
            // Closing PID 1's input ends the host: it kills every process inside, unmounts, removes cgroups and Dir.
            _init.StandardInput.Close();
            if (!_init.WaitForExit(60_000))
            {
                if (Pid != 0) Command.Run("kill", ["-KILL", Pid.ToString(CultureInfo.InvariantCulture)]);
                _init.Kill();
                _init.WaitForExit(10_000);
            }
            _init.WaitForExit();
        }
        finally
        {
            _init.Dispose();
            Outside?.Dispose();
            // What the script could not remove (it was killed): nothing is mounted under Dir any more.
            foreach (var controller in Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup") : [])
                RemoveEmptyTree(Path.Combine(controller, Cgroup));
            if (Directory.Exists(Dir)) Command.Run("rm", ["-rf", "--one-file-system", Dir]);
        }
    }

    private static void RemoveEmptyTree(string directory)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var child in Directory.GetDirectories(directory)) RemoveEmptyTree(child);
        try
        {
            Directory.Delete(directory);
        }
        catch (IOException)
        {
            // a process is still in it: nothing more to do from here
        }
    }
}
