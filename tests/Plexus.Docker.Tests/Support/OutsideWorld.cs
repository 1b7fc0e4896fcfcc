using System.Diagnostics;
using Plexus.Testing;

namespace Plexus.Docker.Tests.Support;

/// <summary>
/// The docker host's "outside world": a namespace of its own (<see cref="TestNetwork"/>'s first one) joined to the
/// host by a veth pair, out0 (<see cref="Address"/>) here and ext0 (<see cref="DockerHost.Address"/>) in the host,
/// which routes everything it does not know to it. It serves /cgi-bin/whoami, which answers the source address
/// it sees, with busybox httpd: what a container's traffic looks like once it has left the host.
/// </summary>
public sealed class OutsideWorld : IDisposable
{
    public const string Address = "10.99.0.2";
    public const int Prefix = 24;

    private readonly Process _httpd;

    public OutsideWorld(int dockerHostPid, string directory)
    {
        Net = new TestNetwork();
        try
        {
            Check("ip", "link", "add", "out0", "type", "veth", "peer", "name", "ext0", "netns", dockerHostPid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Check("ip", "addr", "add", $"{Address}/{Prefix}", "dev", "out0");
            Check("ip", "link", "set", "out0", "up");
            var www = Directory.CreateDirectory(Path.Combine(directory, "outside-www", "cgi-bin")).Parent!.FullName;
            var whoami = Path.Combine(www, "cgi-bin", "whoami");
            File.WriteAllText(whoami, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' \"$REMOTE_ADDR\"\n");
            File.SetUnixFileMode(whoami, (UnixFileMode)Convert.ToInt32("755", 8));
            _httpd = Net.HostNs.StartProcess(new ProcessStartInfo(BusyboxImage.Busybox, ["httpd", "-f", "-p", Address + ":80", "-h", www])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
        }
        catch
        {
            Net.Dispose();
            throw;
        }
    }

    public TestNetwork Net { get; }

    /// <summary>Runs a command in the outside namespace.</summary>
    public CommandResult Exec(params string[] command) =>
        Command.Run("nsenter", [$"--net={Net.PathOf("host")}", "--", .. command]);

    /// <summary>An HTTP GET with curl from the outside namespace (a few seconds at most).</summary>
    public CommandResult Curl(string url) => Exec("curl", "-sS", "--max-time", "5", url);

    private void Check(params string[] command)
    {
        var r = Exec(command);
        if (!r.Ok) throw new InvalidOperationException($"outside world: {string.Join(' ', command)}: {r}");
    }

    public void Dispose()
    {
        try
        {
            if (!_httpd.HasExited) _httpd.Kill();
            _httpd.WaitForExit(5000);
            _httpd.Dispose();
        }
        finally
        {
            // Deleting the namespace deletes out0, and ext0 with it if the host still exists.
            Net.Dispose();
        }
    }
}
