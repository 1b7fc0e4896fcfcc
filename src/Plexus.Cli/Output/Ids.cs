namespace Plexus.Cli.Output;

internal static class Ids
{
    /// <summary>docker's short id: the first 12 characters.</summary>
    public static string Short(string id) => id.Length > 12 ? id[..12] : id;

    public static string Show(string id, bool noTrunc) => noTrunc ? id : Short(id);
}
