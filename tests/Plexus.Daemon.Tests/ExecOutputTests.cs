using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Plexus.Api;
using Plexus.Testing;

namespace Plexus.Daemon.Tests;

/// <summary>
/// An exec's output is streamed to a client that takes the stream, and capped with a marker for one that
/// wants JSON; either way the daemon's memory does not grow with what the command writes (before, 400 MB of
/// output took the daemon to 4.2 GB).
/// </summary>
[Trait("Category", "Privileged")]
public sealed class ExecOutputTests
{
    private const long Written = 256L * 1024 * 1024;

    /// <summary>The daemon's peak resident memory so far, in bytes.</summary>
    private static long PeakMemory(DaemonWorld w)
    {
        var line = File.ReadLines($"/proc/{w.DaemonPid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Reads an exec stream: bytes per stream, error messages, and the exit code of the final frame.</summary>
    private static (long Stdout, long Stderr, string Errors, int? ExitCode) ReadStream(Stream body)
    {
        var header = new byte[ExecStream.HeaderLength];
        var payload = new byte[ExecStream.MaxPayload];
        long stdout = 0, stderr = 0;
        var errors = "";
        while (ExecStream.ReadHeaderAsync(body, header, CancellationToken.None).Result is var (kind, length))
        {
            body.ReadExactly(payload, 0, length);
            switch (kind)
            {
                case ExecStream.Stdout: stdout += length; break;
                case ExecStream.Stderr: stderr += length; break;
                case ExecStream.Error: errors += System.Text.Encoding.UTF8.GetString(payload, 0, length); break;
                case ExecStream.Result:
                    return (stdout, stderr, errors, JsonSerializer.Deserialize(payload.AsSpan(0, length), DaemonJson.Default.ExecResultJson)!.ExitCode);
            }
        }
        return (stdout, stderr, errors, null);
    }

    private static HttpResponseMessage StreamExec(DaemonWorld w, string sandbox, ExecJson body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"plexus/sandboxes/{sandbox}/exec") { Content = JsonContent.Create(body, DaemonJson.Default.ExecJson) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ExecStream.MediaType));
        return w.Http.Send(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [PrivilegedFact]
    public void Hundreds_of_megabytes_of_output_are_streamed_whole_or_cut_with_a_marker_and_the_daemon_does_not_grow()
    {
        using var w = new DaemonWorld();
        w.Start();
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "loud" }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        w.Exec("loud", "true"); // the exec path warmed up before the baseline
        var before = PeakMemory(w);
        var size = Written.ToString(CultureInfo.InvariantCulture);

        // JSON: the first MiB of each stream, the rest counted and marked.
        var json = w.Exec("loud", "sh", "-c", $"head -c {size} /dev/zero; echo tail >&2");
        Assert.Equal(0, json.ExitCode);
        Assert.True(json.Truncated);
        Assert.StartsWith(new string('\0', 1000), json.Stdout, StringComparison.Ordinal);
        Assert.Contains($"[plexus: stdout truncated: the command wrote {size} bytes, the first 1048576 are kept", json.Stdout, StringComparison.Ordinal);
        Assert.True(json.Stdout!.Length < 1024 * 1024 + 200, $"{json.Stdout.Length} characters kept");
        Assert.Equal("tail\n", json.Stderr);

        // Streamed: every byte, in order of arrival, then the exit code.
        using (var response = StreamExec(w, "loud", new ExecJson { Cmd = ["sh", "-c", $"head -c {size} /dev/zero; echo tail >&2; exit 3"] }))
        {
            Assert.Equal(ExecStream.MediaType, response.Content.Headers.ContentType?.MediaType);
            var (stdout, stderr, errors, code) = ReadStream(response.Content.ReadAsStream());
            Assert.Equal((Written, 5L, "", 3), (stdout, stderr, errors, code));
        }

        var grown = PeakMemory(w) - before;
        Assert.True(grown < 128L * 1024 * 1024, $"the daemon's peak memory grew by {grown / (1024 * 1024)} MiB for 2 x {Written / (1024 * 1024)} MiB of output");
    }

    [PrivilegedFact]
    public void A_command_past_its_timeout_is_killed_and_said_so_in_both_forms()
    {
        using var w = new DaemonWorld();
        w.Start();
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "slow" }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);

        using (var r = w.Post("plexus/sandboxes/slow/exec", new ExecJson { Cmd = ["sleep", "41.25"], Timeout = 1 }, DaemonJson.Default.ExecJson))
        {
            Assert.Equal(409, (int)r.StatusCode);
            Assert.Contains("did not finish in 1 s and was killed", r.Content.ReadAsStringAsync().Result, StringComparison.Ordinal);
        }
        // What it wrote before the kill still arrives (10 s: room for a loaded machine to start it).
        using (var response = StreamExec(w, "slow", new ExecJson { Cmd = ["sh", "-c", "echo started; sleep 41.25"], Timeout = 10 }))
        {
            var (stdout, _, errors, code) = ReadStream(response.Content.ReadAsStream());
            Assert.Equal(8L, stdout);
            Assert.Contains("did not finish in 10 s and was killed", errors, StringComparison.Ordinal);
            Assert.Equal(137, code);
        }
        // Killed means gone, the whole tree.
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Select(d => SafeRead(Path.Combine(d, "cmdline"))), c => c.Contains("41.25", StringComparison.Ordinal));
    }

    [PrivilegedFact]
    public void A_run_processs_log_is_readable_by_root_alone()
    {
        using var w = new DaemonWorld();
        w.Start();
        using (var r = w.Post("plexus/sandboxes", new SandboxCreateJson { Name = "talker", Cmd = ["echo", "secret"] }, DaemonJson.Default.SandboxCreateJson))
            Assert.True(r.IsSuccessStatusCode, r.Content.ReadAsStringAsync().Result);
        var logPath = w.Docker("inspect", "-f", "{{.LogPath}}", "talker").Output.Trim();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(logPath));
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
