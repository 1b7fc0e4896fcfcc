using System.Net;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>Short ways to say what a test sets up: requests, networks, addresses.</summary>
internal static class IpamTestKit
{
    public static readonly IReadOnlyDictionary<string, string> NoOptions = new Dictionary<string, string>();

    public static readonly IReadOnlyDictionary<string, string> SerialOptions =
        new Dictionary<string, string> { [DefaultIpam.SerialOption] = "true" };

    public static readonly IReadOnlyCollection<IPNetwork> NoHostPrefixes = [];

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    public static IPNetwork Net(string text) => IPNetwork.Parse(text);

    public static IpamRequest Subnet(string subnet, string? range = null, string? gateway = null, params (string Name, string Address)[] aux) => new()
    {
        Subnet = Net(subnet),
        IPRange = range is null ? null : Net(range),
        Gateway = gateway is null ? null : Ip(gateway),
        AuxAddresses = aux.ToDictionary(a => a.Name, a => Ip(a.Address)),
    };

    /// <summary>The network's id is "id-" + its name.</summary>
    public static IReadOnlyList<SubnetState> Add(this IpamService ipam, string name, params IpamRequest[] requests) =>
        ipam.AddNetwork(IdOf(name), name, requests, enableIPv6: false, NoOptions, NoHostPrefixes);

    public static IReadOnlyList<SubnetState> AddV6(this IpamService ipam, string name, params IpamRequest[] requests) =>
        ipam.AddNetwork(IdOf(name), name, requests, enableIPv6: true, NoOptions, NoHostPrefixes);

    public static IReadOnlyList<SubnetState> AddSerial(this IpamService ipam, string name, params IpamRequest[] requests) =>
        ipam.AddNetwork(IdOf(name), name, requests, enableIPv6: false, SerialOptions, NoHostPrefixes);

    public static IReadOnlyList<SubnetState> AddBeside(this IpamService ipam, string name, params string[] hostPrefixes) =>
        ipam.AddNetwork(IdOf(name), name, [], enableIPv6: false, NoOptions, [.. hostPrefixes.Select(Net)]);

    public static DefaultIpam DefaultDriver(IpamService ipam) => (DefaultIpam)ipam.Drivers.Get(DefaultIpam.DriverName);

    public static string IdOf(string name) => "id-" + name;

    public static string Next(this IpamService ipam, string name, int version = 4) =>
        ipam.Allocate(IdOf(name), version).ToString();

    public static string Take(this IpamService ipam, string name, string address) =>
        ipam.Allocate(IdOf(name), IPMath.Version(Ip(address)), Ip(address)).ToString();

    public static PlexusException Fails(ErrorKind kind, Action action)
    {
        var error = Assert.Throws<PlexusException>(action);
        Assert.Equal(kind, error.Kind);
        return error;
    }

    public static PlexusException Fails(ErrorKind kind, Func<object?> action) => Fails(kind, () => { action(); });
}
