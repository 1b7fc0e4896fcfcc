namespace Plexus.Engine.Controller;

/// <summary>
/// One lock per object id, taken exclusively or shared. Operations on one object are serialised unless they
/// only share it: joins and leaves share their network (they touch only their own endpoint of it) and hold
/// their sandbox alone, so attaches to one network run side by side, while deleting the network waits for
/// them all. A waiting exclusive holder goes before new shared ones, so it is never starved. Several locks
/// are always taken in ordinal order of their ids, so two operations never deadlock.
/// </summary>
internal sealed class ObjectLocks
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    internal sealed class Entry
    {
        public int Users;
        public int Readers;
        public bool Writer;
        public int WaitingWriters;
    }

    /// <summary>Takes every key exclusively.</summary>
    public Releaser Acquire(params string[] keys) => Acquire(keys, []);

    /// <summary>Takes <paramref name="exclusive"/> alone and <paramref name="shared"/> with other sharers; a key in both is taken alone.</summary>
    public Releaser Acquire(IReadOnlyCollection<string> exclusive, IReadOnlyCollection<string> shared)
    {
        var ordered = exclusive.Select(k => (Key: k, Shared: false))
            .Concat(shared.Where(k => !exclusive.Contains(k, StringComparer.Ordinal)).Select(k => (Key: k, Shared: true)))
            .DistinctBy(k => k.Key, StringComparer.Ordinal)
            .OrderBy(k => k.Key, StringComparer.Ordinal)
            .ToArray();
        var taken = new List<(string, Entry, bool)>(ordered.Length);
        try
        {
            foreach (var (key, isShared) in ordered)
            {
                Entry entry;
                lock (_entries)
                {
                    if (!_entries.TryGetValue(key, out entry!)) _entries[key] = entry = new Entry();
                    entry.Users++;
                }
                try
                {
                    Enter(entry, isShared);
                }
                catch
                {
                    Forget(key, entry);
                    throw;
                }
                taken.Add((key, entry, isShared));
            }
            return new Releaser(this, taken);
        }
        catch
        {
            new Releaser(this, taken).Dispose();
            throw;
        }
    }

    private static void Enter(Entry entry, bool shared)
    {
        lock (entry)
        {
            if (shared)
            {
                while (entry.Writer || entry.WaitingWriters > 0) Monitor.Wait(entry);
                entry.Readers++;
                return;
            }
            entry.WaitingWriters++;
            bool entered = false;
            try
            {
                while (entry.Writer || entry.Readers > 0) Monitor.Wait(entry);
                entered = true;
            }
            finally
            {
                entry.WaitingWriters--;
                if (!entered) Monitor.PulseAll(entry); // sharers held back for this writer may go on
            }
            entry.Writer = true;
        }
    }

    private void Release(List<(string Key, Entry Entry, bool Shared)> taken)
    {
        foreach (var (key, entry, shared) in taken)
        {
            lock (entry)
            {
                if (shared) entry.Readers--;
                else entry.Writer = false;
                Monitor.PulseAll(entry);
            }
            Forget(key, entry);
        }
    }

    private void Forget(string key, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0) _entries.Remove(key);
        }
    }

    public readonly struct Releaser(ObjectLocks owner, List<(string, Entry, bool)> taken) : IDisposable
    {
        public void Dispose() => owner.Release(taken);
    }
}
