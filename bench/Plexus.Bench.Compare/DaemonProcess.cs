using System.Diagnostics;
using System.Globalization;

namespace Plexus.Bench.Compare;

/// <summary>A daemon the run started (plexusd, dockerd): its output to a log file, stopped with SIGTERM, then SIGKILL.</summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();

    private DaemonProcess(Process process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public int Pid => _process.Id;
    public string LogPath { get; }
    public bool HasExited => _process.HasExited;

    public static DaemonProcess Start(string file, IEnumerable<string> args, string logPath)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new NotAvailableException($"could not start {file}");
        var daemon = new DaemonProcess(process, log, logPath);
        process.OutputDataReceived += (_, e) => daemon.Write(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_logLock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // stopped
            }
        }
    }

    /// <summary>The last lines of the log, for a reason in the report.</summary>
    public string Tail(int lines = 3)
    {
        try
        {
            lock (_logLock) _log.Flush();
            var all = File.ReadAllLines(LogPath);
            return string.Join(" | ", all.TakeLast(lines).Select(l => l.Length > 200 ? l[..200] : l));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Polls <paramref name="ready"/> until it holds; false if the daemon exited or the time ran out.</summary>
    public bool WaitUntil(Func<bool> ready, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (_process.HasExited) return false;
            if (ready()) return true;
            Thread.Sleep(100);
        }
        return false;
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            ProcessRunner.Run("/bin/kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            if (!_process.WaitForExit(grace))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        _process.WaitForExit(1000);
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(10));
        _process.Dispose();
        lock (_logLock) _log.Dispose();
    }
}
