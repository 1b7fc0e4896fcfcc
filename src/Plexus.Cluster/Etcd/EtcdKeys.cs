using System.Text;

namespace Plexus.Cluster.Etcd;

/// <summary>
/// Store keys (paths such as "/hosts/a") to etcd keys under the prefix ("/plexus/hosts/a") and back, and the
/// [key, range end) pairs etcd takes for "every key starting with".
/// </summary>
internal sealed class EtcdKeys(string prefix)
{
    public string Prefix { get; } = prefix.TrimEnd('/');

    public byte[] Key(string key)
    {
        Check(key, nameof(key));
        return Encoding.UTF8.GetBytes(Prefix + key);
    }

    /// <summary>The range of every key under <paramref name="prefix"/> ("" is the whole store).</summary>
    public (byte[] Key, byte[] RangeEnd) Range(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) prefix = "/";
        Check(prefix, nameof(prefix));
        var start = Encoding.UTF8.GetBytes(Prefix + prefix);
        return (start, RangeEnd(start));
    }

    /// <summary>The store key of an etcd key read back (the prefix removed).</summary>
    public string StoreKey(byte[]? key) => Encoding.UTF8.GetString(key ?? [])[Prefix.Length..];

    /// <summary>etcd's prefix end: the prefix with its last byte below 0xff raised by one.</summary>
    private static byte[] RangeEnd(byte[] start)
    {
        var end = (byte[])start.Clone();
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return end[..(i + 1)];
            }
        }
        return [0]; // all 0xff: to the end of the keyspace
    }

    // Keys are paths: a key that did not start with '/' could reach outside the prefix ("/plexus" + "2/x").
    private static void Check(string key, string name)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        if (!key.StartsWith('/')) throw new ArgumentException($"global store keys are paths starting with '/': '{key}'", name);
    }
}
