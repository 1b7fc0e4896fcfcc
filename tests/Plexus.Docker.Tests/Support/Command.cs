using System.Diagnostics;

namespace Plexus.Docker.Tests.Support;

/// <summary>What a command printed and how it ended.</summary>
public sealed record CommandResult(int ExitCode, string Out, string Err)
{
    public bool Ok => ExitCode == 0;

    /// <summary>Both streams, for assertion messages.</summary>
    public string Text => (Out + Err).Trim();

    public override string ToString() => $"exit {ExitCode}: {Text}";
}

/// <summary>Runs a program to completion with a time limit (generous: the machine is shared and slow at times).</summary>
public static class Command
{
    public static CommandResult Run(string file, IEnumerable<string> args, int timeoutMs = 60_000,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (environment is not null)
            foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs / 1000} s: {stdout.Result}{stderr.Result}");
        }
        p.WaitForExit();
        return new CommandResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>As <see cref="Run"/>; a non-zero exit fails the test with the command's own words.</summary>
    public static string Check(string file, IEnumerable<string> args, int timeoutMs = 60_000)
    {
        var list = args.ToList();
        var r = Run(file, list, timeoutMs);
        if (!r.Ok) throw new Xunit.Sdk.XunitException($"{file} {string.Join(' ', list)} failed with {r.ExitCode}: {r.Text}");
        return r.Out;
    }
}

/// <summary>Waiting for a condition that becomes true a moment later (a server listening, a link removed).</summary>
public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; false after <paramref name="seconds"/>.</summary>
    public static bool True(Func<bool> condition, double seconds = 30, int pollMs = 200)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (condition()) return true;
            if (sw.Elapsed.TotalSeconds > seconds) return false;
            Thread.Sleep(pollMs);
        }
    }
}
