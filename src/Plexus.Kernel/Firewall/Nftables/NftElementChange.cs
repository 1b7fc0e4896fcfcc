namespace Plexus.Kernel.Firewall.Nftables;

/// <summary>
/// One set or map element to add or delete in a table: its key as the kernel stores it (concatenated fields, each
/// padded to 4 bytes), for a map its data (encoded the same way), and for an add the comment nft shows with it.
/// <see cref="Family"/> is an <see cref="NftFamily"/> number. A policy renders its incremental changes as these, and
/// the backend sends them in one batch over netlink (<see cref="NftElementBatch"/>): no parse, no cache, no process.
/// </summary>
public readonly record struct NftElementChange(bool Add, byte Family, string Table, string Set, byte[] Key, byte[]? Data, string? Comment)
{
    /// <summary>Fields of a concatenation, each padded to the kernel's 4-byte register granularity.</summary>
    public static byte[] Concat(params ReadOnlySpan<byte[]> fields)
    {
        int length = 0;
        foreach (var f in fields) length += (f.Length + 3) & ~3;
        var bytes = new byte[length];
        int at = 0;
        foreach (var f in fields)
        {
            f.CopyTo(bytes, at);
            at += (f.Length + 3) & ~3;
        }
        return bytes;
    }
}
