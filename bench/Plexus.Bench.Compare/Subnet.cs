using System.Globalization;

namespace Plexus.Bench.Compare;

/// <summary>
/// An IPv4 /16, 10.X.0.0/16, with the gateway at .0.1 and host number i at 10.X.(i+2)/256.(i+2)%256. Each system
/// gets its own range of X (see <see cref="For"/>), so systems never share a subnet even if one leaves
/// something behind.
/// </summary>
internal readonly record struct Subnet(int SecondOctet)
{
    public const int PrefixLength = 16;

    /// <summary>Network <paramref name="slot"/> (0 to 7) of the system at <paramref name="systemIndex"/>.</summary>
    public static Subnet For(int systemIndex, int slot) => new(64 + (systemIndex * 8) + slot);

    public string Cidr => Inv($"10.{SecondOctet}.0.0/{PrefixLength}");

    public string Gateway => Inv($"10.{SecondOctet}.0.1");

    public string Host(int i)
    {
        int n = i + 2;
        return Inv($"10.{SecondOctet}.{n / 256}.{n % 256}");
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
