namespace Plexus.Cni;

/// <summary>The spec versions this plugin speaks, and what differs between them.</summary>
internal static class CniVersions
{
    public const string Latest = "1.1.0";

    /// <summary>Versions whose results this plugin writes (0.1.0 and 0.2.0 had another result shape).</summary>
    public static readonly IReadOnlyList<string> Supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    public static bool IsSupported(string version) => Supported.Contains(version);

    /// <summary>Results before 1.0.0 say each address's family ("version": "4").</summary>
    public static bool AddressesHaveVersion(string version) => Compare(version, "1.0.0") < 0;

    /// <summary>Result interfaces carry their MTU from 1.1.0.</summary>
    public static bool InterfacesHaveMtu(string version) => Compare(version, "1.1.0") >= 0;

    /// <summary>CHECK exists from 0.4.0; STATUS and GC from 1.1.0.</summary>
    public static bool Supports(string version, string command) => command switch
    {
        "CHECK" => Compare(version, "0.4.0") >= 0,
        "STATUS" or "GC" => Compare(version, "1.1.0") >= 0,
        _ => true,
    };

    /// <summary>Orders "MAJOR.MINOR.PATCH" versions numerically.</summary>
    public static int Compare(string a, string b)
    {
        var x = Parts(a);
        var y = Parts(b);
        for (int i = 0; i < 3; i++)
            if (x[i] != y[i]) return x[i].CompareTo(y[i]);
        return 0;
    }

    private static int[] Parts(string version)
    {
        var parts = version.Split('.');
        var numbers = new int[3];
        for (int i = 0; i < 3 && i < parts.Length; i++)
            numbers[i] = int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;
        return numbers;
    }
}
