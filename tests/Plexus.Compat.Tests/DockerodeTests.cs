using System.Diagnostics;
using Plexus.Daemon.Tests;
using Plexus.Testing;

namespace Plexus.Compat.Tests;

/// <summary>
/// dockerode, the Node.js Docker SDK, against a real plexusd: runs tests/dockerode (node's test runner,
/// packages installed by scripts/setup.sh with `npm ci`) with the daemon's socket in DOCKER_SOCKET.
/// </summary>
[Trait("Category", "Privileged")]
public sealed class DockerodeTests
{
    [PrivilegedFact]
    public void Dockerode_works_against_plexusd()
    {
        var suite = Path.Combine(RepositoryRoot(), "tests", "dockerode");
        Assert.True(Directory.Exists(Path.Combine(suite, "node_modules", "dockerode")),
            $"dockerode is not installed in {suite}: run scripts/setup.sh (npm ci there)");
        using var w = new DaemonWorld();
        w.Start();

        var psi = new ProcessStartInfo("node", ["--test", "--test-reporter=spec"])
        {
            WorkingDirectory = suite,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DOCKER_SOCKET"] = w.Socket;
        using var node = Process.Start(psi)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(300_000))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail($"dockerode's tests did not finish in 5 minutes:\n{stdout.Result}{stderr.Result}");
        }
        Assert.True(node.ExitCode == 0, $"dockerode's tests failed (exit {node.ExitCode}):\n{stdout.Result}{stderr.Result}\nplexusd:\n{w.Log}");
        Assert.Contains("fail 0", stdout.Result, StringComparison.Ordinal);
        Assert.DoesNotContain("pass 0", stdout.Result, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Plexus.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Plexus.slnx above {AppContext.BaseDirectory}");
    }
}
