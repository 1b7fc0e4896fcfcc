using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>The NativeAOT plexusd and plexus behave as the JIT builds the rest of the suite tests.</summary>
[Trait("Category", "Privileged")]
public sealed class NativeBinariesTests
{
    /// <summary>
    /// The same session of CLI commands (scripts/cli-transcript.sh: networks, sandboxes, a process, ps, inspect
    /// and templates, exec with its exit code, connect/disconnect, refusals and usage errors, removal) against a
    /// fresh daemon, once with the JIT pair and once with the native pair: the transcripts are identical.
    /// </summary>
    [PrivilegedFact]
    public void The_native_cli_and_daemon_answer_exactly_as_the_jit_ones()
    {
        var (nativeDaemon, nativeCli) = RepositoryPaths.Native();
        var script = Path.Combine(RepositoryPaths.Root, "scripts/cli-transcript.sh");
        var (jitCode, jit) = NativeRun.InPrivateNamespace([script, RepositoryPaths.JitDaemon, RepositoryPaths.JitCli], 300_000);
        var (nativeCode, native) = NativeRun.InPrivateNamespace([script, nativeDaemon, nativeCli], 300_000);
        Assert.True(jitCode == 0, jit);
        Assert.True(nativeCode == 0, native);
        // The session did what it says: a sanity check on the JIT side, so equal transcripts mean something.
        Assert.Contains("10.77.0.10", jit, StringComparison.Ordinal);
        Assert.Contains("[exit 3]", jit, StringComparison.Ordinal);
        Assert.Contains("[exit 125]", jit, StringComparison.Ordinal);
        var jitLines = jit.Split('\n');
        var nativeLines = native.Split('\n');
        for (int i = 0; i < Math.Min(jitLines.Length, nativeLines.Length); i++)
            Assert.True(jitLines[i] == nativeLines[i], $"line {i + 1} differs:\n  JIT:    {jitLines[i]}\n  native: {nativeLines[i]}\n\nnative transcript:\n{native}");
        Assert.Equal(jitLines.Length, nativeLines.Length);
    }
}
