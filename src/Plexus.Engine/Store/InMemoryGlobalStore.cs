using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Plexus.Engine.Store;

/// <summary>
/// An <see cref="IGlobalStore"/> held in memory, with etcd's revision, compare-and-swap and watch
/// semantics: for tests and for a single host; etcd takes its place when hosts share networks.
/// </summary>
/// <remarks>
/// One lock orders every change; a change is appended to the history and handed to each matching watch
/// under that lock, so a watch sees the history it asked for and then every later change, each exactly
/// once and in revision order. Watches read from unbounded channels: a slow reader never blocks a writer.
/// </remarks>
public sealed class InMemoryGlobalStore : IGlobalStore
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, KeyValue> _entries = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _history = [];
    private readonly List<Watcher> _watchers = [];
    private long _revision;
    private long _compacted;
    private bool _disposed;

    public long Revision
    {
        get
        {
            lock (_gate) return _revision;
        }
    }

    public KeyValue? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate) return _entries.GetValueOrDefault(key);
    }

    public StoreRange List(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        lock (_gate)
            return new StoreRange([.. _entries.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))], _revision);
    }

    public CasResult Put(string key, string value, long expectedRevision = StoreRevisions.Any)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _entries.GetValueOrDefault(key);
            if (!Matches(current, expectedRevision)) return new CasResult(false, _revision, current);
            long revision = ++_revision;
            var entry = new KeyValue(key, value, current?.CreateRevision ?? revision, revision, (current?.Version ?? 0) + 1);
            _entries[key] = entry;
            Publish(new WatchEvent(WatchEventKind.Put, entry, revision));
            return new CasResult(true, revision, entry);
        }
    }

    public CasResult Delete(string key, long expectedRevision = StoreRevisions.Any)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _entries.GetValueOrDefault(key);
            // Deleting what is not there changes nothing, as in etcd; with an expected revision it is a failed comparison.
            if (current is null) return new CasResult(expectedRevision is StoreRevisions.Any or StoreRevisions.Absent, _revision, null);
            if (!Matches(current, expectedRevision)) return new CasResult(false, _revision, current);
            long revision = ++_revision;
            _entries.Remove(key);
            Publish(new WatchEvent(WatchEventKind.Delete, current, revision));
            return new CasResult(true, revision, null);
        }
    }

    public IAsyncEnumerable<WatchEvent> Watch(string prefix, long afterRevision, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
        var watcher = new Watcher(prefix);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (afterRevision < _compacted) throw new RevisionCompactedException(afterRevision, _compacted);
            foreach (var change in _history)
                if (change.Revision > afterRevision && watcher.Wants(change)) watcher.Events.Writer.TryWrite(change);
            _watchers.Add(watcher);
        }
        return Read(watcher, cancellation);
    }

    public void Compact(long revision)
    {
        lock (_gate)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(revision, _revision);
            if (revision <= _compacted) return;
            _history.RemoveAll(e => e.Revision <= revision);
            _compacted = revision;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var watcher in _watchers) watcher.Events.Writer.TryComplete();
            _watchers.Clear();
        }
    }

    private static bool Matches(KeyValue? current, long expectedRevision) => expectedRevision switch
    {
        StoreRevisions.Any => true,
        StoreRevisions.Absent => current is null,
        _ => current?.ModRevision == expectedRevision,
    };

    private void Publish(WatchEvent change)
    {
        _history.Add(change);
        foreach (var watcher in _watchers)
            if (watcher.Wants(change)) watcher.Events.Writer.TryWrite(change);
    }

    private async IAsyncEnumerable<WatchEvent> Read(Watcher watcher, [EnumeratorCancellation] CancellationToken cancellation)
    {
        try
        {
            await foreach (var change in watcher.Events.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
                yield return change;
        }
        finally
        {
            lock (_gate) _watchers.Remove(watcher);
        }
    }

    private sealed class Watcher(string prefix)
    {
        public Channel<WatchEvent> Events { get; } = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });

        public bool Wants(WatchEvent change) => change.Entry.Key.StartsWith(prefix, StringComparison.Ordinal);
    }
}
