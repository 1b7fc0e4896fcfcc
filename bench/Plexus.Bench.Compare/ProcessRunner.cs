using System.Diagnostics;

namespace Plexus.Bench.Compare;

/// <summary>Runs a program to completion, as a runtime runs CNI plugins or netavark: arguments, environment, stdin.</summary>
internal static class ProcessRunner
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    public static Outcome Run(string file, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 120)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        }
        using var p = Process.Start(psi) ?? throw new SystemFailureException($"could not start {file}");
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new SystemFailureException($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish in {timeoutSeconds} s");
        }
        p.WaitForExit();
        return new Outcome(p.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    /// <summary>As <see cref="Run"/>; a non-zero exit is a <see cref="SystemFailureException"/> with the program's own words.</summary>
    public static string Check(string file, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 120)
    {
        var argList = args.ToList();
        var o = Run(file, argList, stdin, environment, timeoutSeconds);
        if (o.ExitCode != 0)
        {
            var words = (o.Error.Trim().Length > 0 ? o.Error : o.Output).Trim();
            if (words.Length > 400) words = words[..400] + "...";
            throw new SystemFailureException($"{Path.GetFileName(file)} {string.Join(' ', argList.Take(4))} exited with {o.ExitCode}: {words}");
        }
        return o.Output;
    }

    /// <summary>The first of <paramref name="candidates"/> that exists, then the name looked up on PATH.</summary>
    public static string? Locate(string name, params string[] candidates)
    {
        foreach (var c in candidates)
        {
            if (File.Exists(c)) return c;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
