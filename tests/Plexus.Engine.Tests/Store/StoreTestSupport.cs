using System.Collections;
using System.Net;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Plexus.Engine.Model;
using Plexus.Kernel.Types;

namespace Plexus.Engine.Tests.Store;

/// <summary>A fresh directory under /tmp for one test, deleted with everything in it afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "plexus-store-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A data root that does not exist yet, so the store has to create it.</summary>
    public string DataRoot => System.IO.Path.Combine(Path, "lib", "plexus");

    public string DatabasePath => System.IO.Path.Combine(DataRoot, "plexus.db");

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>SQL on the database file through a connection of the test's own, as another program would.</summary>
internal static class RawSql
{
    public static object? Scalar(string databasePath, string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open(databasePath);
        using var command = Command(connection, sql, parameters);
        return command.ExecuteScalar();
    }

    public static int Execute(string databasePath, string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open(databasePath);
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>Like <see cref="Execute"/>, but creates the file if missing.</summary>
    public static void Create(string databasePath, string sql)
    {
        using var connection = Open(databasePath, SqliteOpenMode.ReadWriteCreate);
        using var command = Command(connection, sql, []);
        command.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string databasePath, SqliteOpenMode mode = SqliteOpenMode.ReadWrite)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = mode,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}

/// <summary>Records with every field set to something other than its default, and minimal ones.</summary>
internal static class Samples
{
    public static NetworkState Network(string? name = null, string? id = null) => new()
    {
        Id = id ?? Ids.New(),
        Name = name ?? "web",
        Driver = "bridge",
        Created = new DateTimeOffset(2026, 11, 22, 7, 44, 50, TimeSpan.FromHours(2)).AddTicks(1_234_567),
        Options = new Dictionary<string, string>
        {
            ["com.docker.network.bridge.name"] = "plx-web",
            ["com.docker.network.bridge.enable_icc"] = "false",
        },
        Labels = new Dictionary<string, string> { ["team"] = "caf\u00e9 \u2615 \"quoted\"", ["empty"] = "" },
        Internal = true,
        EnableIPv6 = true,
        Scope = DataScope.Global,
        IpamDriver = "custom-ipam",
        IpamOptions = new Dictionary<string, string> { ["pool"] = "blue" },
        Subnets =
        [
            new SubnetState
            {
                Subnet = IPNetwork.Parse("172.18.0.0/16"),
                IPRange = IPNetwork.Parse("172.18.5.0/24"),
                Gateway = IPAddress.Parse("172.18.0.1"),
                AuxAddresses = new Dictionary<string, IPAddress> { ["router"] = IPAddress.Parse("172.18.0.254") },
                UserDefined = true,
                PoolId = "LocalDefault/172.18.0.0/16/172.18.5.0/24",
            },
            new SubnetState
            {
                Subnet = IPNetwork.Parse("fd00:1:2::/64"),
                IPRange = IPNetwork.Parse("fd00:1:2::/80"),
                Gateway = IPAddress.Parse("fd00:1:2::1"),
                AuxAddresses = new Dictionary<string, IPAddress>
                {
                    ["router6"] = IPAddress.Parse("fd00:1:2::fe"),
                    ["link-local"] = IPAddress.Parse("fe80::1%7"),
                },
                UserDefined = true,
                PoolId = "LocalDefault/fd00:1:2::/64/fd00:1:2::/80",
            },
        ],
        DriverState = new Dictionary<string, string> { ["bridge"] = "plx-web", ["ifindex"] = "42" },
        UnallocatedIpam =
        [
            new Plexus.Engine.Ipam.IpamRequest
            {
                Subnet = IPNetwork.Parse("fd00:9::/64"),
                IPRange = IPNetwork.Parse("fd00:9::/80"),
                Gateway = IPAddress.Parse("fd00:9::1"),
                AuxAddresses = new Dictionary<string, IPAddress> { ["spare"] = IPAddress.Parse("fd00:9::fe") },
            },
        ],
        Attachable = true,
        ConfigOnly = true,
        ConfigFrom = "base config",
        Pending = true,
    };

    public static EndpointState Endpoint(string networkId, string? sandboxId, string? name = null, string? id = null) => new()
    {
        Id = id ?? Ids.New(),
        Name = name ?? "c1",
        NetworkId = networkId,
        SandboxId = sandboxId,
        IPv4 = IPPrefix.Parse("172.18.5.7/16"),
        IPv6 = IPPrefix.Parse("fd00:1:2::5/64"),
        Mac = MacAddress.Parse("02:42:ac:12:05:07"),
        Aliases = ["db", "primary.db"],
        GatewayPriority = -3,
        InterfaceName = "eth1",
        JoinOrder = 1L << 40,
        ExposedPorts = ["80/tcp", "53/udp"],
        PortBindings =
        [
            new Plexus.Engine.Ports.PortBinding(Plexus.Engine.Ports.PortProtocol.Tcp, 80, System.Net.IPAddress.Parse("127.0.0.1"), 8080),
            new Plexus.Engine.Ports.PortBinding(Plexus.Engine.Ports.PortProtocol.Udp, 53, System.Net.IPAddress.Parse("::1"), 5353),
        ],
        DriverState = new Dictionary<string, string> { ["veth"] = "veth1a2b3c" },
        Standalone = true,
        RequestedIPv4 = IPAddress.Parse("172.18.5.7"),
        RequestedIPv6 = IPAddress.Parse("fd00:1:2::5"),
        LinkLocalAddresses = [IPAddress.Parse("169.254.1.1"), IPAddress.Parse("fe80::7")],
        Joined = new JoinResult
        {
            GatewayV4 = IPAddress.Parse("172.18.0.1"),
            GatewayV6 = IPAddress.Parse("fd00:1:2::1"),
            StaticRoutes = [new StaticRoute(IPPrefix.Parse("10.9.0.0/16"), IPAddress.Parse("172.18.0.254"))],
            DisableGatewayService = true,
            SourceInterface = "tap0",
        },
        Links = ["db:database"],
        DriverOptions = new Dictionary<string, string> { ["com.example.opt"] = "1" },
        Pending = true,
        Scope = DataScope.Global,
    };

    public static SandboxState Sandbox(string? name = null, string? id = null) => new()
    {
        Id = id ?? Ids.New(),
        Name = name ?? "c1",
        NamespacePath = "/run/plexus/netns/c1",
        Owned = true,
        Pid = 4242,
        NamespaceInode = ulong.MaxValue - 1,
        Hostname = "c1.example",
        DnsServers = ["1.1.1.1", "2606:4700:4700::1111"],
        DnsSearch = ["example.com"],
        DnsOptions = ["ndots:2"],
        ExtraHosts = ["db:172.18.5.7"],
        Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-330)).AddTicks(7),
        Labels = new Dictionary<string, string> { ["com.example.role"] = "frontend" },
        Links = [new SandboxLink("db", "database")],
        Privileged = true,
        CapAdd = ["CAP_NET_ADMIN"],
        CapDrop = ["ALL"],
        Process = new SandboxProcessState
        {
            Command = ["busybox", "httpd", "-f"],
            Pid = 777,
            StartedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero),
            LogPath = "/run/plexus/sandboxes/x/output.log",
            Environment = ["A=1"],
            StartTime = 123456789,
            ExitCode = 137,
            FinishedAt = new DateTimeOffset(2026, 1, 2, 3, 5, 6, TimeSpan.Zero),
        },
        Pending = true,
    };

    public static NetworkState MinimalNetwork(string name, string? id = null) =>
        new() { Id = id ?? Ids.New(), Name = name, Driver = "null" };

    public static EndpointState MinimalEndpoint(string networkId, string name, string? id = null) =>
        new() { Id = id ?? Ids.New(), Name = name, NetworkId = networkId };

    public static SandboxState MinimalSandbox(string name, string? id = null) =>
        new() { Id = id ?? Ids.New(), Name = name, NamespacePath = "/proc/1/ns/net" };
}

/// <summary>Field-by-field comparison of records, since their collections compare by reference.</summary>
internal static class Deep
{
    public static void Equal(object? expected, object? actual, string path = "$")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {Show(expected)}, got {Show(actual)}");
            return;
        }

        switch (expected)
        {
            case string or IPAddress or IPNetwork or IPPrefix or MacAddress or bool or int or long or ulong or Enum:
                Assert.True(expected.Equals(actual), $"{path}: expected {Show(expected)}, got {Show(actual)}");
                if (expected is IPAddress { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } a)
                    Assert.True(a.ScopeId == ((IPAddress)actual).ScopeId, $"{path}: scope id differs");
                return;
            case DateTimeOffset d:
                // DateTimeOffset.Equals compares the instant only; the stored offset matters too.
                Assert.True(d.EqualsExact((DateTimeOffset)actual), $"{path}: expected {d:O}, got {(DateTimeOffset)actual:O}");
                return;
            case IDictionary dictionary:
                var other = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.True(dictionary.Count == other.Count, $"{path}: expected {dictionary.Count} entries, got {other.Count}");
                foreach (DictionaryEntry entry in dictionary)
                {
                    Assert.True(other.Contains(entry.Key), $"{path}: missing key '{entry.Key}'");
                    Equal(entry.Value, other[entry.Key], $"{path}[{entry.Key}]");
                }
                return;
            case IEnumerable sequence:
                var left = sequence.Cast<object?>().ToList();
                var right = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
                Assert.True(left.Count == right.Count, $"{path}: expected {left.Count} items, got {right.Count}");
                for (int i = 0; i < left.Count; i++)
                    Equal(left[i], right[i], $"{path}[{i}]");
                return;
        }

        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got {actual.GetType().Name}");
        var properties = expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
        Assert.True(properties.Length > 0, $"{path}: don't know how to compare a {expected.GetType().Name}");
        foreach (var property in properties)
            Equal(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }

    /// <summary>
    /// Fails when some property (at any depth) holds its default: a round-trip test of such a sample
    /// could not notice that property being lost. A property added to the model fails this until the
    /// samples set it.
    /// </summary>
    public static void NoDefaults(object? value, string path = "$")
    {
        Assert.False(value is null, $"{path} is null in the sample");
        switch (value)
        {
            case string s:
                Assert.False(s.Length == 0 && !path.EndsWith("[empty]", StringComparison.Ordinal), $"{path} is empty in the sample");
                return;
            case IPAddress or Enum:
                return;
            case IPNetwork or IPPrefix or MacAddress or DateTimeOffset:
                Assert.False(value.Equals(Activator.CreateInstance(value.GetType())), $"{path} is the default in the sample");
                return;
            case bool b:
                Assert.True(b, $"{path} is false in the sample");
                return;
            case int or long or ulong:
                Assert.False(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture) == 0, $"{path} is 0 in the sample");
                return;
            case IDictionary dictionary:
                Assert.True(dictionary.Count > 0, $"{path} is empty in the sample");
                foreach (DictionaryEntry entry in dictionary)
                    NoDefaults(entry.Value, $"{path}[{entry.Key}]");
                return;
            case IEnumerable sequence:
                var items = sequence.Cast<object?>().ToList();
                Assert.True(items.Count > 0, $"{path} is empty in the sample");
                for (int i = 0; i < items.Count; i++)
                    NoDefaults(items[i], $"{path}[{i}]");
                return;
        }

        var properties = value!.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance);
        Assert.True(properties.Length > 0, $"{path}: a {value.GetType().Name} has no properties to check");
        foreach (var property in properties)
            NoDefaults(property.GetValue(value), $"{path}.{property.Name}");
    }

    private static string Show(object? value) => value is null ? "null" : $"'{value}'";
}
