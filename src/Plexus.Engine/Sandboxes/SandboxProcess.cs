using System.Diagnostics;

namespace Plexus.Engine.Sandboxes;

/// <summary>
/// Starts processes inside a sandbox the way `ip netns exec` does: in the sandbox's network namespace,
/// in a private mount namespace where the sandbox's hosts, resolv.conf and hostname files are bound over
/// /etc, and in a UTS namespace of its own carrying the sandbox's hostname (for new namespaces only).
/// </summary>
public static class SandboxProcess
{
    // $1 hosts, $2 resolv.conf, $3 hostname file, $4 hostname or empty; the rest is the command.
    // readlink -f: /etc/resolv.conf is often a symlink; bind over its target when that exists.
    private const string Script =
        "set -e; " +
        "for pair in \"$1:/etc/hosts\" \"$2:/etc/resolv.conf\" \"$3:/etc/hostname\"; do " +
        "src=${pair%%:*}; dst=$(readlink -f \"${pair#*:}\" || true); " +
        "if [ -n \"$dst\" ] && [ -e \"$dst\" ]; then mount --bind \"$src\" \"$dst\"; fi; done; " +
        "if [ -n \"$4\" ]; then hostname \"$4\"; fi; shift 4; exec \"$@\"";

    /// <summary>The start info for <paramref name="command"/> in the sandbox (start it through the sandbox's namespace).</summary>
    public static ProcessStartInfo StartInfo(Sandbox sandbox, SandboxFiles files, IReadOnlyList<string> command, bool ownUts = true)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0) throw new ArgumentException("no command given", nameof(command));
        var id = sandbox.Id;
        var hostname = ownUts && !sandbox.IsHostNamespace ? SandboxFiles.HostnameOf(sandbox.State) : "";
        string[] unshare = ownUts && !sandbox.IsHostNamespace
            ? ["--mount", "--uts", "--propagation", "private"]
            : ["--mount", "--propagation", "private"];
        return new ProcessStartInfo("unshare",
        [
            .. unshare, "--", "/bin/sh", "-c", Script, "plexus-exec",
            files.HostsPath(id), files.ResolvConfPath(id), files.HostnamePath(id), hostname,
            .. command,
        ]);
    }

    /// <summary>Starts the command inside the sandbox.</summary>
    public static Process Start(Sandbox sandbox, SandboxFiles files, IReadOnlyList<string> command, Action<ProcessStartInfo>? configure = null)
    {
        var psi = StartInfo(sandbox, files, command);
        configure?.Invoke(psi);
        return sandbox.Namespace.StartProcess(psi);
    }
}
