using Plexus.Testing;

namespace Plexus.Daemon.Tests;

[Trait("Category", "Privileged")]
public sealed class QuickStartTests
{
    /// <summary>
    /// README's quick start as a newcomer runs it, through the plexus CLI against a fresh plexusd, with real
    /// packets: scripts/demo.sh inside a private namespace nested in the suite's own.
    /// </summary>
    [PrivilegedFact]
    public void The_quick_start_scenarios_pass_end_to_end_through_the_cli()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Plexus.slnx"))) root = Path.GetDirectoryName(root)!;
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var psi = new System.Diagnostics.ProcessStartInfo("env",
            ["-u", "PLEXUS_PRIVATE_NETNS", $"CONFIGURATION={configuration}", Path.Combine(root, "scripts/in-private-netns.sh"), Path.Combine(root, "scripts/demo.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000)) p.Kill(entireProcessTree: true); // generous: ~30 CLI start-ups, 2-3 min on a loaded 2-CPU machine
        var text = output.Result + errors.Result;
        Assert.True(p.ExitCode == 0, text);
        Assert.Contains("quick start passed: every step worked", text, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", text, StringComparison.Ordinal);
    }
}
