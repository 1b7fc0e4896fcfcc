using System.Diagnostics;
using System.Globalization;

namespace Plexus.Engine.Sandboxes;

/// <summary>
/// Starts processes inside a sandbox the way `ip netns exec` does: in the sandbox's network namespace,
/// in a private mount namespace where the sandbox's hosts, resolv.conf and hostname files are bound over
/// /etc, and in a UTS namespace of its own carrying the sandbox's hostname (for new namespaces only).
/// Unless privileged, the daemon's directories are then hidden in that mount namespace and the command runs
/// under setpriv with its capability bounding set and no_new_privs (<see cref="ProcessConfinement"/>).
/// The order matters: binding files and setting the hostname need CAP_SYS_ADMIN, which the command never
/// gets, so it can undo none of it (umount, mount and setns all need that capability).
/// </summary>
public static class SandboxProcess
{
    // $1 hosts, $2 resolv.conf, $3 hostname file, $4 hostname or empty, $5 output file or empty,
    // $6 the number N of paths to hide, then those N paths; the rest is the command.
    // The output file is opened first: it lives under the exec root, which is hidden afterwards, and the
    // mounts' own errors then reach it too.
    // readlink -f: /etc/resolv.conf is often a symlink; bind over its target when that exists.
    private const string Script =
        "set -e; " +
        "if [ -n \"$5\" ]; then exec >>\"$5\" 2>&1 </dev/null; fi; " +
        "for pair in \"$1:/etc/hosts\" \"$2:/etc/resolv.conf\" \"$3:/etc/hostname\"; do " +
        "src=${pair%%:*}; dst=$(readlink -f \"${pair#*:}\" || true); " +
        "if [ -n \"$dst\" ] && [ -e \"$dst\" ]; then mount --bind \"$src\" \"$dst\"; fi; done; " +
        "if [ -n \"$4\" ]; then hostname \"$4\"; fi; " +
        "n=$6; shift 6; " +
        "while [ \"$n\" -gt 0 ]; do " +
        "if [ -d \"$1\" ]; then mount -t tmpfs -o ro,nosuid,nodev,noexec,size=4k,mode=0555 plexus-hidden \"$1\"; " +
        "elif [ -e \"$1\" ]; then mount --bind /dev/null \"$1\"; fi; " +
        "shift; n=$((n - 1)); done; " +
        "exec \"$@\"";

    /// <summary>util-linux's setpriv, which sets the bounding set and no_new_privs between the mounts and the command.</summary>
    private static readonly Lazy<bool> HasSetpriv = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "setpriv"))));

    /// <summary>The start info for <paramref name="command"/> in the sandbox (start it through the sandbox's namespace).</summary>
    public static ProcessStartInfo StartInfo(Sandbox sandbox, SandboxFiles files, IReadOnlyList<string> command, ProcessConfinement confinement,
        string? outputFile = null, bool ownUts = true)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(confinement);
        if (command.Count == 0) throw new ArgumentException("no command given", nameof(command));
        if (!confinement.IsPrivileged && !HasSetpriv.Value)
            throw new Model.PlexusException(Model.ErrorKind.Internal, "setpriv (util-linux) is not installed: processes cannot be confined to their capabilities; install util-linux");
        var id = sandbox.Id;
        var hostname = ownUts && !sandbox.IsHostNamespace ? SandboxFiles.HostnameOf(sandbox.State) : "";
        string[] unshare = ownUts && !sandbox.IsHostNamespace
            ? ["--mount", "--uts", "--propagation", "private"]
            : ["--mount", "--propagation", "private"];
        IReadOnlyList<string> hidden = confinement.IsPrivileged ? [] : confinement.HiddenPaths;
        IReadOnlyList<string> confined = confinement.IsPrivileged
            ? command
            : [
                "setpriv", "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all",
                "--bounding-set=" + Capabilities.BoundingSetArgument(confinement.Capabilities), "--", .. command,
            ];
        return new ProcessStartInfo("unshare",
        [
            .. unshare, "--", "/bin/sh", "-c", Script, "plexus-exec",
            files.HostsPath(id), files.ResolvConfPath(id), files.HostnamePath(id), hostname, outputFile ?? "",
            hidden.Count.ToString(CultureInfo.InvariantCulture), .. hidden,
            .. confined,
        ]);
    }

    /// <summary>Starts the command inside the sandbox.</summary>
    public static Process Start(Sandbox sandbox, SandboxFiles files, IReadOnlyList<string> command, ProcessConfinement confinement,
        Action<ProcessStartInfo>? configure = null, string? outputFile = null)
    {
        var psi = StartInfo(sandbox, files, command, confinement, outputFile);
        configure?.Invoke(psi);
        return sandbox.Namespace.StartProcess(psi);
    }
}
