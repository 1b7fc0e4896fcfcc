using System.Diagnostics;

namespace Plexus.Testing;

public static class Processes
{
    /// <summary>Runs a command to completion (with a time limit) and returns exit code and stdout+stderr.</summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, int timeoutMs = 20_000)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
