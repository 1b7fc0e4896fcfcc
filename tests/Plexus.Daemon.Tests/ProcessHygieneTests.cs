using System.Globalization;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// What holds a process `plexus run` or `plexus exec` starts: Docker's default capabilities and no_new_privs,
/// so it cannot nsenter the host's namespaces, and the daemon's socket, data root and exec root hidden in its
/// mount namespace, so it cannot drive the daemon or read the store; --privileged gives all of that back, and
/// --cap-add NET_ADMIN lets it manage its own interfaces.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class ProcessHygieneTests
{
    /// <summary>Docker's 14 default capabilities as /proc/PID/status shows them.</summary>
    private const string DockerDefaultCapEff = "00000000a80425fb";

    private static void Run(DaemonWorld w, SandboxCreateJson body)
    {
        using var r = w.Post("plexus/sandboxes", body, DaemonJson.Default.SandboxCreateJson);
        Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
    }

    private static ExecResultJson Exec(DaemonWorld w, string sandbox, bool privileged, params string[] cmd)
    {
        using var r = w.Post($"plexus/sandboxes/{sandbox}/exec", new ExecJson { Cmd = [.. cmd], Privileged = privileged ? true : null }, DaemonJson.Default.ExecJson);
        Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        return System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(r.Content, DaemonJson.Default.ExecResultJson).Result!;
    }

    private static string Logs(DaemonWorld w, string sandbox, string until)
    {
        var text = "";
        for (int i = 0; i < 200 && !text.Contains(until, StringComparison.Ordinal); i++)
        {
            Thread.Sleep(100);
            text = w.Http.GetStringAsync($"plexus/sandboxes/{sandbox}/logs").Result;
        }
        return text;
    }

    [PrivilegedFact]
    public void A_run_process_has_dockers_capabilities_and_no_new_privs_and_reaches_neither_the_host_nor_the_daemon()
    {
        using var w = new DaemonWorld();
        w.Start();
        var daemon = w.DaemonPid.ToString(CultureInfo.InvariantCulture);
        // The main process reports on itself, then stays: this is `plexus run`, not exec.
        Run(w, new SandboxCreateJson
        {
            Name = "jail",
            Cmd =
            [
                "sh", "-c",
                "grep -e CapEff -e NoNewPrivs /proc/self/status; " +
                "nsenter -t 1 -n true 2>/dev/null; echo nsenter-host=$?; " +
                $"nsenter -t {daemon} -n true 2>/dev/null; echo nsenter-daemon=$?; " +
                $"curl -s -m 5 --unix-socket {w.Socket} http://plexus/_ping >/dev/null 2>&1; echo socket=$?; " +
                "echo done; sleep 600",
            ],
        });
        var log = Logs(w, "jail", "done");
        Assert.Contains($"CapEff:\t{DockerDefaultCapEff}", log, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivs:\t1", log, StringComparison.Ordinal);
        Assert.Matches("nsenter-host=[1-9]", log);
        Assert.Matches("nsenter-daemon=[1-9]", log);
        Assert.Matches("socket=[1-9]", log);

        // The same holds for exec, and the daemon's paths are empty, read-only mounts.
        Assert.NotEqual(0, Exec(w, "jail", false, "nsenter", "-t", daemon, "-n", "true").ExitCode);
        Assert.NotEqual(0, Exec(w, "jail", false, "curl", "-s", "-m", "5", "--unix-socket", w.Socket, "http://plexus/_ping").ExitCode);
        Assert.Equal("", Exec(w, "jail", false, "ls", "-A", w.Root).Stdout);
        Assert.Equal("", Exec(w, "jail", false, "ls", "-A", w.DataRoot).Stdout);
        Assert.NotEqual(0, Exec(w, "jail", false, "touch", Path.Combine(w.DataRoot, "planted")).ExitCode);
        var link = Exec(w, "jail", false, "ip", "link", "add", "px0", "type", "veth", "peer", "name", "px1");
        Assert.NotEqual(0, link.ExitCode);
        Assert.Contains("Operation not permitted", link.Stderr, StringComparison.Ordinal);
        // Its own files and names still work: they were bound over /etc before the capabilities went.
        Assert.Equal(0, Exec(w, "jail", false, "getent", "hosts", "localhost").ExitCode);
        var id = w.Docker("inspect", "-f", "{{.Id}}", "jail").Output.Trim();
        Assert.Equal(id[..12], Exec(w, "jail", false, "hostname").Stdout!.Trim());

        // Its output is root's alone.
        var logPath = w.Docker("inspect", "-f", "{{.LogPath}}", "jail").Output.Trim();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(logPath));
    }

    [PrivilegedFact]
    public void Privileged_gives_everything_back_and_cap_add_and_cap_drop_change_the_default_set()
    {
        using var w = new DaemonWorld();
        w.Start();
        var daemon = w.DaemonPid.ToString(CultureInfo.InvariantCulture);
        Run(w, new SandboxCreateJson { Name = "free", Privileged = true });
        Run(w, new SandboxCreateJson { Name = "admin", CapAdd = ["net_admin"] });
        Run(w, new SandboxCreateJson { Name = "noraw", CapDrop = ["NET_RAW"] });
        Run(w, new SandboxCreateJson { Name = "plain" });

        // --privileged: the daemon's namespace and socket are reachable, as root's always are.
        Assert.Equal(0, Exec(w, "free", false, "nsenter", "-t", daemon, "-n", "true").ExitCode);
        Assert.Equal("OK", Exec(w, "free", false, "curl", "-s", "-m", "5", "--unix-socket", w.Socket, "http://plexus/_ping").Stdout);
        Assert.Contains("plexus.sock", Exec(w, "free", false, "ls", w.Root).Stdout, StringComparison.Ordinal);

        // --cap-add NET_ADMIN: the sandbox's own interfaces, but still no nsenter (that needs SYS_ADMIN).
        var add = Exec(w, "admin", false, "ip", "link", "add", "px0", "type", "veth", "peer", "name", "px1");
        Assert.True(add.ExitCode == 0, add.Output);
        Assert.Contains("px0", Exec(w, "admin", false, "ip", "-o", "link").Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("px0", string.Join(' ', w.HostLinks()), StringComparison.Ordinal);
        Assert.NotEqual(0, Exec(w, "admin", false, "nsenter", "-t", daemon, "-n", "true").ExitCode);

        // --cap-drop NET_RAW: no raw sockets, so no ping; the default set has it.
        Assert.Equal(0, Exec(w, "plain", false, "busybox", "ping", "-c", "1", "-W", "2", "127.0.0.1").ExitCode);
        Assert.NotEqual(0, Exec(w, "noraw", false, "busybox", "ping", "-c", "1", "-W", "2", "127.0.0.1").ExitCode);

        // exec --privileged lifts it for one command only.
        Assert.Equal("OK", Exec(w, "plain", true, "curl", "-s", "-m", "5", "--unix-socket", w.Socket, "http://plexus/_ping").Stdout);
        Assert.NotEqual(0, Exec(w, "plain", false, "curl", "-s", "-m", "5", "--unix-socket", w.Socket, "http://plexus/_ping").ExitCode);

        // docker inspect shows them where Docker does.
        Assert.Equal("[CAP_NET_ADMIN] [] false", w.Docker("inspect", "-f", "{{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.Privileged}}", "admin").Output.Trim());
        Assert.Equal("true", w.Docker("inspect", "-f", "{{.HostConfig.Privileged}}", "free").Output.Trim());

        // And across a restart, the sandbox keeps what it was given.
        w.Stop();
        w.Start();
        Assert.Equal(0, Exec(w, "admin", false, "ip", "link", "add", "px2", "type", "veth", "peer", "name", "px3").ExitCode);
        Assert.NotEqual(0, Exec(w, "plain", false, "ip", "link", "add", "px2", "type", "veth", "peer", "name", "px3").ExitCode);
    }
}
