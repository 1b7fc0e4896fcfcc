namespace Plexus.Engine.Store;

/// <summary>
/// The global store: objects of <see cref="Model.DataScope.Global"/> scope that every host shares (global
/// networks, their pools and endpoint records), a key-value store with etcd's semantics so that etcd can
/// back it. Every change raises the store's revision by one; each entry carries the revision that created
/// it and the one that last changed it. Writes are compare-and-swap on that revision, so two hosts never
/// both take the same address or VNI; watches deliver every change after a given revision, in order, so a
/// consumer lists once and then follows. Thread-safe.
/// </summary>
public interface IGlobalStore : IDisposable
{
    /// <summary>The revision of the last change (0 for an empty store that never changed).</summary>
    long Revision { get; }

    /// <summary>The entry at <paramref name="key"/>, or null.</summary>
    KeyValue? Get(string key);

    /// <summary>Every entry whose key starts with <paramref name="prefix"/>, in key order, and the revision they were read at.</summary>
    StoreRange List(string prefix);

    /// <summary>
    /// Writes <paramref name="value"/> when the entry's last-change revision is <paramref name="expectedRevision"/>:
    /// <see cref="StoreRevisions.Absent"/> to create only, <see cref="StoreRevisions.Any"/> to write unconditionally.
    /// A failed comparison changes nothing and reports the entry as it is.
    /// </summary>
    CasResult Put(string key, string value, long expectedRevision = StoreRevisions.Any);

    /// <summary>Deletes the entry when its last-change revision is <paramref name="expectedRevision"/> (or always, with Any).</summary>
    CasResult Delete(string key, long expectedRevision = StoreRevisions.Any);

    /// <summary>
    /// The changes to keys under <paramref name="prefix"/> after <paramref name="afterRevision"/>, in revision
    /// order: first those already made, then each new one as it is made, until <paramref name="cancellation"/>
    /// or disposal. Throws <see cref="RevisionCompactedException"/> (at once, or for a remote store at the
    /// first MoveNextAsync) when history that old is gone: list again and watch from the listed revision.
    /// A remote store's watch outlives outages of the store: it resumes after the last change it delivered.
    /// </summary>
    IAsyncEnumerable<WatchEvent> Watch(string prefix, long afterRevision, CancellationToken cancellation = default);

    /// <summary>
    /// Forgets the history before <paramref name="revision"/>; watches cannot start before it. (etcd keeps the
    /// change made at the compaction revision itself, the in-memory store does not: callers watch from the
    /// revision they listed at, which is never older than the last compaction they made.)
    /// </summary>
    void Compact(long revision);
}

/// <summary>The special expected revisions of compare-and-swap.</summary>
public static class StoreRevisions
{
    /// <summary>The key must not exist.</summary>
    public const long Absent = 0;

    /// <summary>No comparison: write whatever is there.</summary>
    public const long Any = -1;
}

/// <summary>One entry: its value (JSON text), the revisions that created and last changed it, and how many times it was written.</summary>
public sealed record KeyValue(string Key, string Value, long CreateRevision, long ModRevision, long Version);

/// <summary>A list result with the revision it was read at (where a watch continues).</summary>
public sealed record StoreRange(IReadOnlyList<KeyValue> Entries, long Revision);

/// <summary>
/// The outcome of a compare-and-swap: whether it was applied, the store's revision after it, and the entry
/// as it now is (the new one after a put, the unchanged one after a failed comparison, null when absent).
/// </summary>
public sealed record CasResult(bool Succeeded, long Revision, KeyValue? Current);

public enum WatchEventKind
{
    Put,
    Delete,
}

/// <summary>A change: a put (with the new entry) or a delete (with the entry as it was), at <paramref name="Revision"/>.</summary>
public sealed record WatchEvent(WatchEventKind Kind, KeyValue Entry, long Revision);

/// <summary>A watch asked for history that compaction removed.</summary>
public sealed class RevisionCompactedException : Exception
{
    public RevisionCompactedException() { }

    public RevisionCompactedException(string message) : base(message) { }

    public RevisionCompactedException(string message, Exception inner) : base(message, inner) { }

    public RevisionCompactedException(long requested, long compacted)
        : base($"revision {requested} has been compacted (history starts after revision {compacted}): list again and watch from the listed revision")
    {
        CompactRevision = compacted;
    }

    /// <summary>The last revision compacted away.</summary>
    public long CompactRevision { get; }
}
