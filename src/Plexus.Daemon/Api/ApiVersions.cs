using Plexus.Api;
using Plexus.Engine.Model;

namespace Plexus.Daemon.Api;

/// <summary>
/// Docker's API version prefix (/v1.45/networks). Clients put the version they speak in front of every
/// path; the daemon answers the versions from <see cref="ApiInfo.MinApiVersion"/> to
/// <see cref="ApiInfo.ApiVersion"/> and refuses others with Docker's 400, so a client never mistakes an
/// answer in shapes it does not know for one it asked for (applied per request by Http.ApiApplication).
/// </summary>
internal static class ApiVersions
{
    /// <summary>Splits "/v1.45/networks" into "1.45" and "/networks"; false when the path has no version prefix (Docker's /v{version:[0-9.]+}).</summary>
    public static bool TrySplit(string path, out string version, out string rest)
    {
        version = "";
        rest = path;
        if (path.Length < 3 || path[0] != '/' || path[1] != 'v' || !char.IsAsciiDigit(path[2])) return false;
        int end = 2;
        while (end < path.Length && (char.IsAsciiDigit(path[end]) || path[end] == '.')) end++;
        if (end < path.Length && path[end] != '/') return false;
        version = path[2..end];
        rest = end == path.Length ? "/" : path[end..];
        return true;
    }

    /// <summary>Docker's versionUnsupportedError, with its words.</summary>
    public static void Check(string version)
    {
        if (Compare(version, ApiInfo.MinApiVersion) < 0)
            throw PlexusException.Invalid($"client version {version} is too old. Minimum supported API version is {ApiInfo.MinApiVersion}, please upgrade your client to a newer version");
        if (Compare(version, ApiInfo.ApiVersion) > 0)
            throw PlexusException.Invalid($"client version {version} is too new. Maximum supported API version is {ApiInfo.ApiVersion}");
    }

    /// <summary>Compares dotted versions field by field as numbers ("1.9" &lt; "1.45"), as Docker's versions.compare does.</summary>
    public static int Compare(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        for (int i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            long p = i < x.Length && long.TryParse(x[i], System.Globalization.CultureInfo.InvariantCulture, out var px) ? px : 0;
            long q = i < y.Length && long.TryParse(y[i], System.Globalization.CultureInfo.InvariantCulture, out var qy) ? qy : 0;
            if (p != q) return p < q ? -1 : 1;
        }
        return 0;
    }
}
