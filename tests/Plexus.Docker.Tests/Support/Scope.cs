using System.Globalization;

namespace Plexus.Docker.Tests.Support;

/// <summary>
/// What one test makes on a shared docker host, by the docker commands a user types, removed when it ends:
/// containers first (docker rm -f), then networks. The helpers check what a user would check from inside the
/// containers (busybox: nc with an HTTP request line, nslookup, ping, ip).
/// </summary>
public sealed class Scope(DockerHost host) : IDisposable
{
    private readonly List<string> _containers = [];
    private readonly List<string> _networks = [];

    public DockerHost Host => host;

    /// <summary>`docker network create -d plexus --ipam-driver plexus --subnet SUBNET [OPTIONS] NAME`.</summary>
    public string Network(string name, string subnet, params string[] options)
    {
        host.CheckDocker(["network", "create", "-d", "plexus", "--ipam-driver", "plexus", "--subnet", subnet, .. options, name]);
        _networks.Add(name);
        return name;
    }

    /// <summary>`docker run -d --name NAME --network NETWORK [ARGS] IMAGE sleep` (a container that waits).</summary>
    public string Sleeper(string name, string network, params string[] args) => Run(name, network, args, ["sleep", "86400"]);

    /// <summary>A container serving <see cref="BusyboxImage.Page"/> with busybox httpd on port 80.</summary>
    public string Web(string name, string network, params string[] args) => Run(name, network, args, ["httpd", "-f", "-p", "80", "-h", "/www"]);

    public string Run(string name, string network, string[] args, string[] command)
    {
        _containers.Add(name);
        host.CheckDocker(["run", "-d", "--name", name, "--network", network, .. args, BusyboxImage.Name, .. command]);
        return name;
    }

    /// <summary>Remembers a container made otherwise (e.g. a docker run expected to fail), so that it is removed.</summary>
    public void Track(string container) => _containers.Add(container);

    public CommandResult Exec(string container, params string[] command) => host.Docker(["exec", container, .. command]);

    /// <summary>GET / (or <paramref name="path"/>) from inside a container with nc; the response, or the error.</summary>
    public CommandResult Http(string container, string address, int port = 80, string path = "/") =>
        Exec(container, "sh", "-c",
            $"printf 'GET {path} HTTP/1.0\\r\\nHost: {address}\\r\\n\\r\\n' | nc -w 5 {address} {port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Whether an HTTP GET from the container gets the web page (retried a few seconds: the server may still start).</summary>
    public bool Reaches(string container, string address, int port = 80, double seconds = 15) =>
        Eventually.True(() => Http(container, address, port).Out.Contains(BusyboxImage.Page, StringComparison.Ordinal), seconds, 300);

    /// <summary>Whether a single GET fails (for what must be blocked: no retry, nc gives up after its timeout).</summary>
    public bool Blocked(string container, string address, int port = 80) =>
        !Http(container, address, port).Out.Contains(BusyboxImage.Page, StringComparison.Ordinal);

    /// <summary>The container's address on a network, as docker inspect reports it.</summary>
    public string AddressOf(string container, string network) =>
        host.CheckDocker("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", container);

    /// <summary>IPv4 addresses inside the container (`ip -o -4 addr`), lo excluded, as "eth0 10.0.0.2/24".</summary>
    public string[] AddressesInside(string container)
    {
        var r = Exec(container, "ip", "-o", "-4", "addr", "show");
        Assert.True(r.Ok, $"ip addr in {container}: {r}");
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 3 && f[1] != "lo")
            .Select(f => $"{f[1]} {f[3]}").ToArray();
    }

    /// <summary>The addresses busybox nslookup gets for a name from the container's resolver (Docker's embedded DNS).</summary>
    public string[] Resolve(string container, string name)
    {
        var r = Exec(container, "nslookup", name);
        if (!r.Ok) return [];
        // After the "Name:" line come the answer's "Address: A" lines (the server's own lines come before it).
        var lines = r.Out.Split('\n', StringSplitOptions.TrimEntries);
        int start = Array.FindIndex(lines, l => l.StartsWith("Name:", StringComparison.Ordinal));
        return start < 0 ? [] : lines.Skip(start + 1)
            .Where(l => l.StartsWith("Address", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0]).ToArray();
    }

    public void Dispose()
    {
        foreach (var c in Enumerable.Reverse(_containers).Distinct()) host.Docker("rm", "-f", c);
        foreach (var n in Enumerable.Reverse(_networks)) host.Docker("network", "rm", n);
    }
}
