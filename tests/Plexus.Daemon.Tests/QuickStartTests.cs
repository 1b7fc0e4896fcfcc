using System.Diagnostics;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

[Trait("Category", "Privileged")]
public sealed class QuickStartTests
{
    /// <summary>
    /// README's quick start as a newcomer runs it, on what they get: the NativeAOT plexusd and plexus, against
    /// a fresh daemon, with real packets (scripts/demo.sh inside a private namespace nested in the suite's own).
    /// </summary>
    [PrivilegedFact]
    public void The_quick_start_scenarios_pass_end_to_end_on_the_native_binaries()
    {
        var (daemon, cli) = RepositoryPaths.Native();
        foreach (var binary in new[] { daemon, cli })
        {
            // Native executables: ELF files that run without the dotnet host or any managed assembly.
            Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(binary)[..4]);
            Assert.False(File.Exists(Path.ChangeExtension(binary, ".dll")), $"{binary} has a managed assembly beside it");
        }
        var (code, text) = NativeRun.InPrivateNamespace(["env", $"PLEXUS_BIN_DIR={RepositoryPaths.NativeDirectory}", Path.Combine(RepositoryPaths.Root, "scripts/demo.sh")], 900_000);
        Assert.True(code == 0, text);
        Assert.Contains("quick start passed: every step worked", text, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", text, StringComparison.Ordinal);
    }
}

/// <summary>Runs a command inside a private namespace of its own (scripts/in-private-netns.sh), nested in the suite's.</summary>
internal static class NativeRun
{
    public static (int ExitCode, string Output) InPrivateNamespace(IReadOnlyList<string> command, int timeoutMs)
    {
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryPaths.Root };
        foreach (var a in (string[])["-u", "PLEXUS_PRIVATE_NETNS", Path.Combine(RepositoryPaths.Root, "scripts/in-private-netns.sh"), .. command])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs)) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return (p.ExitCode, output.Result + errors.Result);
    }
}
