namespace Plexus.Cli.Tests.Support;

/// <summary>Answers shaped as plexusd sends them (src/Plexus.Daemon/Api), for the fake daemon to give.</summary>
internal static class Fixtures
{
    public const string WebId = "7d3f2a9c1b8e4f6a0c5d2e9b3a7f1c4e8d0b6a2f9c3e5d7a1b4f8e2c6a0d9b3f";

    public const string Networks = """
        [
          { "Name": "web", "Id": "7d3f2a9c1b8e4f6a0c5d2e9b3a7f1c4e8d0b6a2f9c3e5d7a1b4f8e2c6a0d9b3f", "Created": "2025-01-02T03:04:05.5Z", "Scope": "local",
            "Driver": "bridge", "EnableIPv4": true, "EnableIPv6": false, "Internal": false,
            "IPAM": { "Driver": "default", "Options": null, "Config": [ { "Subnet": "10.1.0.0/24", "Gateway": "10.1.0.1" } ] },
            "Containers": {}, "Options": {}, "Labels": { "tier": "front", "app": "shop" } },
          { "Name": "bridge", "Id": "1111111111112222222222223333333333334444444444445555555555556666", "Created": "2025-01-01T00:00:00Z", "Scope": "local",
            "Driver": "bridge", "EnableIPv4": true, "EnableIPv6": true, "Internal": false,
            "IPAM": { "Driver": "default", "Config": [] }, "Containers": {}, "Options": {}, "Labels": {} },
          { "Name": "none", "Id": "aaaaaaaaaaaabbbbbbbbbbbbccccccccccccddddddddddddeeeeeeeeeeeeffff", "Created": "2025-01-01T00:00:00Z", "Scope": "local",
            "Driver": "null", "EnableIPv4": true, "EnableIPv6": false, "Internal": true,
            "IPAM": { "Driver": "default", "Config": [] }, "Containers": {}, "Options": {}, "Labels": {} }
        ]
        """;

    public const string WebNetwork = """
        { "Name": "web", "Id": "7d3f2a9c1b8e4f6a0c5d2e9b3a7f1c4e8d0b6a2f9c3e5d7a1b4f8e2c6a0d9b3f", "Driver": "bridge",
          "IPAM": { "Driver": "default", "Options": null, "Config": [ { "Subnet": "10.1.0.0/24", "Gateway": "10.1.0.1" } ] },
          "Containers": { "c0ffee": { "Name": "client", "IPv4Address": "10.1.0.2/24" } }, "Labels": {} }
        """;

    public const string Containers = """
        [
          { "Id": "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc", "Names": ["/client"], "Image": "plexus-sandbox",
            "Command": "busybox httpd -f -p 80", "Created": 1735787045,
            "Ports": [ { "IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp" }, { "PrivatePort": 443, "Type": "tcp" } ],
            "Labels": {}, "State": "running", "Status": "Up",
            "HostConfig": { "NetworkMode": "web" },
            "NetworkSettings": { "Networks": {
              "web": { "NetworkID": "7d3f", "IPAddress": "10.1.0.2", "IPPrefixLen": 24 },
              "back": { "NetworkID": "9a9a", "IPAddress": "10.2.0.5", "IPPrefixLen": 24 } } } },
          { "Id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Names": ["/holder"], "Image": "plexus-sandbox",
            "Command": "", "Created": 1735787000, "Ports": [], "Labels": { "k": "v" }, "State": "exited", "Status": "Exited",
            "HostConfig": { "NetworkMode": "none" }, "NetworkSettings": { "Networks": {} } }
        ]
        """;

    public const string Client = """
        {
          "Id": "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc",
          "Name": "/client",
          "State": { "Status": "running", "Running": true, "Pid": 4242 },
          "HostConfig": { "NetworkMode": "web", "Links": ["/server:/client/server"], "PortBindings": { "80/tcp": [ { "HostIp": "0.0.0.0", "HostPort": "8080" } ] } },
          "NetworkSettings": {
            "IPAddress": "10.1.0.2",
            "Ports": {
              "80/tcp": [ { "HostIp": "0.0.0.0", "HostPort": "8080" }, { "HostIp": "::", "HostPort": "8080" } ],
              "53/udp": [ { "HostIp": "127.0.0.1", "HostPort": "5353" } ],
              "443/tcp": null
            },
            "Networks": { "web": { "IPAddress": "10.1.0.2", "Aliases": ["c"] } }
          }
        }
        """;

    public const string Info = """
        {
          "ID": "d41d8cd9", "Containers": 3, "ContainersRunning": 2, "ContainersPaused": 0, "ContainersStopped": 1,
          "Driver": "plexus", "Name": "host1", "ServerVersion": "0.1.0", "OperatingSystem": "linux", "OSType": "linux",
          "KernelVersion": "6.1.0-test", "Architecture": "X64", "NCPU": 2, "DockerRootDir": "/var/lib/plexus",
          "Plugins": { "Network": ["bridge", "host", "null"] },
          "DriverStatus": [ ["Firewall Backend", "nftables"], ["Exec Root", "/run/plexus"] ],
          "Warnings": [], "FirewallBackend": { "Driver": "nftables", "Info": [["Table", "inet plexus"]] },
          "KernelFeatures": { "veth": true, "bridge": true, "vxlan": false, "br_netfilter": false }
        }
        """;

    public const string Version = """
        { "Platform": { "Name": "Plexus" }, "Version": "0.1.0", "ApiVersion": "1.45", "MinAPIVersion": "1.24", "GoVersion": ".NET 10.0.0",
          "Os": "linux", "Arch": "amd64", "KernelVersion": "6.1.0-test" }
        """;
}
