namespace Plexus.Engine.Controller;

/// <summary>
/// One lock per object id. Operations on one object are serialised; on different objects they run in
/// parallel. Several locks are always taken in ordinal order, so two operations never deadlock.
/// </summary>
internal sealed class ObjectLocks
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed by Release when its last user leaves.")]
    internal sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Users;
    }

    public Releaser Acquire(params string[] keys)
    {
        var ordered = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var taken = new List<(string, Entry)>(ordered.Length);
        try
        {
            foreach (var key in ordered)
            {
                Entry entry;
                lock (_entries)
                {
                    if (!_entries.TryGetValue(key, out entry!)) _entries[key] = entry = new Entry();
                    entry.Users++;
                }
                entry.Gate.Wait();
                taken.Add((key, entry));
            }
            return new Releaser(this, taken);
        }
        catch
        {
            new Releaser(this, taken).Dispose();
            throw;
        }
    }

    private void Release(List<(string Key, Entry Entry)> taken)
    {
        foreach (var (key, entry) in taken)
        {
            entry.Gate.Release();
            lock (_entries)
            {
                if (--entry.Users == 0)
                {
                    _entries.Remove(key);
                    entry.Gate.Dispose();
                }
            }
        }
    }

    public readonly struct Releaser(ObjectLocks owner, List<(string, Entry)> taken) : IDisposable
    {
        public void Dispose() => owner.Release(taken);
    }
}
