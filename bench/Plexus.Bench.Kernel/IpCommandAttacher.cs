using System.Diagnostics;

namespace Plexus.Bench.Kernel;

/// <summary>
/// The same attach done the way a shell script (or a manager that shells out) does it: one `ip` process per
/// step, the sandbox's namespace reached with `ip -n NAME` (which looks in /run/netns, where the test bed
/// bind-mounts the namespaces).
/// </summary>
internal sealed class IpCommandAttacher(string ipPath) : IAttacher
{
    public string Name => "ip";

    public string Description => $"one `{ipPath}` process per step, `ip -n NAME` for the sandbox's namespace";

    public IReadOnlyList<string> Steps { get; } =
    [
        "ip link add ... type veth peer name eth0 netns X",
        "ip link set ... master BR up",
        "ip -n X link set lo up",
        "ip -n X link set eth0 up",
        "ip -n X addr add ... dev eth0",
        "ip -n X route add default via ...",
    ];

    public void Attach(Sandbox sandbox, Bridge bridge, StepClock clock)
    {
        string ns = sandbox.NamespaceName, eth0 = Addressing.SandboxInterface;
        Run("link", "add", sandbox.HostLink, "type", "veth", "peer", "name", eth0, "address", sandbox.Mac.ToString(), "netns", ns);
        clock.Mark();
        Run("link", "set", sandbox.HostLink, "master", bridge.Name, "up");
        clock.Mark();
        Run("-n", ns, "link", "set", "lo", "up");
        clock.Mark();
        Run("-n", ns, "link", "set", eth0, "up");
        clock.Mark();
        Run("-n", ns, "addr", "add", sandbox.Address.ToString(), "brd", "+", "dev", eth0);
        clock.Mark();
        Run("-n", ns, "route", "add", "default", "via", Addressing.Gateway.Address.ToString(), "dev", eth0);
        clock.Mark();
    }

    public void Detach(Sandbox sandbox) => Run("link", "del", sandbox.HostLink);

    /// <summary>Finds `ip` on PATH once, so the timed runs do not search for it.</summary>
    public static string? Locate()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, "ip");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private void Run(params string[] args)
    {
        var psi = new ProcessStartInfo(ipPath, args)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {ipPath}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', args)} exited with {process.ExitCode}: {error.Trim()}");
    }
}
