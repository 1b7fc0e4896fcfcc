using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Plexus.Graph.Rendering;

/// <summary>
/// Lays out DOT with Graphviz's <c>dot</c> and returns SVG. <c>dot</c> runs as a child process with the
/// DOT on its standard input (no shell, no temporary file), once per picture asked for: drawing is a
/// diagnostic request, never part of a network operation. It is found on PATH when asked for, so
/// installing graphviz makes SVG work without restarting the daemon.
/// </summary>
public sealed class Graphviz
{
    private readonly string? _executable;
    private readonly TimeSpan _timeout;

    /// <param name="executable">The <c>dot</c> to run; null looks it up on PATH at each request.</param>
    /// <param name="timeout">How long one layout may take; 200 sandboxes take about a second.</param>
    public Graphviz(string? executable = null, TimeSpan? timeout = null)
    {
        _executable = executable;
        _timeout = timeout ?? TimeSpan.FromSeconds(60);
    }

    /// <summary><c>dot</c>'s path, or null when it is not installed.</summary>
    public string? Find()
    {
        if (_executable is not null) return IsExecutable(_executable) ? _executable : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "dot");
            if (IsExecutable(candidate)) return candidate;
        }
        return null;
    }

    /// <exception cref="GraphvizMissingException"><c>dot</c> is not installed.</exception>
    /// <exception cref="GraphvizException"><c>dot</c> failed or timed out; the message carries what it said.</exception>
    public async Task<string> RenderSvgAsync(string dot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dot);
        var executable = Find() ?? throw new GraphvizMissingException();
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-Tsvg" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new GraphvizException($"could not start {executable}");
        }
        catch (Win32Exception e)
        {
            throw new GraphvizMissingException($"could not run Graphviz's dot ({executable}: {e.Message}); install the graphviz package, or ask for --format dot or --format mermaid", e);
        }
        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            try
            {
                // Read both pipes while writing: a large picture fills a pipe before dot has read all its input.
                var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
                var errors = process.StandardError.ReadToEndAsync(timeout.Token);
                try
                {
                    await process.StandardInput.WriteAsync(dot.AsMemory(), timeout.Token);
                    await process.StandardInput.FlushAsync(timeout.Token);
                }
                catch (IOException)
                {
                    // dot exited before reading everything; its exit code and stderr say why
                }
                finally
                {
                    process.StandardInput.Close();
                }
                var svg = await output;
                var said = (await errors).Trim();
                await process.WaitForExitAsync(timeout.Token);
                if (process.ExitCode != 0 || svg.Length == 0)
                    throw new GraphvizException($"Graphviz's dot failed (exit code {process.ExitCode}): {(said.Length > 0 ? said : "no message")}");
                return svg;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new GraphvizException($"Graphviz's dot did not finish within {_timeout.TotalSeconds:0} seconds");
            }
            finally
            {
                if (!process.HasExited)
                {
                    try
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    catch (InvalidOperationException)
                    {
                        // it exited meanwhile
                    }
                }
            }
        }
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
