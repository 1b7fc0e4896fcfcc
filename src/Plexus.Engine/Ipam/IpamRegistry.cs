using Plexus.Engine.Model;

namespace Plexus.Engine.Ipam;

/// <summary>The IPAM drivers by name, as `--ipam-driver` (Docker's IPAM.Driver) names them.</summary>
public sealed class IpamRegistry
{
    /// <summary>The driver a network gets when it names none.</summary>
    public const string DefaultDriver = DefaultIpam.DriverName;

    private readonly Dictionary<string, IIpamDriver> _drivers = new(StringComparer.Ordinal);

    public IpamRegistry(IEnumerable<IIpamDriver> drivers)
    {
        ArgumentNullException.ThrowIfNull(drivers);
        foreach (var driver in drivers)
        {
            ArgumentNullException.ThrowIfNull(driver, nameof(drivers));
            if (!_drivers.TryAdd(driver.Name, driver))
                throw new ArgumentException($"two IPAM drivers are named '{driver.Name}'", nameof(drivers));
        }
    }

    /// <summary>The built-in drivers: "default" with the given default pools (null: Docker's), and "null".</summary>
    public static IpamRegistry BuiltIn(IEnumerable<AddressPoolSpec>? defaultPools = null) =>
        new([new DefaultIpam(defaultPools), new NullIpam()]);

    public IReadOnlyList<string> Names => [.. _drivers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The driver of that name (empty: the default one); a 404 naming it and the available ones otherwise.</summary>
    public IIpamDriver Get(string? name)
    {
        if (string.IsNullOrEmpty(name)) name = DefaultDriver;
        return _drivers.TryGetValue(name, out var driver) ? driver
            : throw PlexusException.NotFound($"IPAM driver '{name}' is not available (available: {string.Join(", ", Names)})");
    }
}
