using Microsoft.Data.Sqlite;

namespace Plexus.Engine.Store;

/// <summary>
/// Checkpoints the store's write-ahead log on a thread of its own, so that no commit waits for a checkpoint.
/// <para>
/// By default SQLite checkpoints on the committing connection once the log passes 1000 pages: that commit copies the
/// log into the database and syncs both files (fsync, milliseconds on an ordinary disk) while every other commit
/// waits behind it. A join or leave writes four pages, so under concurrent attaches about every 250th commit stalled
/// the store and every attach in flight with it. The store leaves that to this thread (<see cref="Committed"/> asks
/// every <see cref="CommitsPerCheckpoint"/> commits): a PASSIVE checkpoint on a connection of its own copies what it
/// can without waiting for the writer or blocking it. The writer keeps a checkpoint of its own only as a backstop,
/// for a log that grows to <see cref="BackstopPages"/> pages because this thread cannot keep up.
/// </para>
/// <para>Durability is SQLite's synchronous=NORMAL either way: the log is synced before a checkpoint copies it.</para>
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    /// <summary>Commits between two checkpoints: a join's commit is four pages, so about SQLite's 1000.</summary>
    public const int CommitsPerCheckpoint = 250;

    /// <summary>The writer's own wal_autocheckpoint: ten times SQLite's default.</summary>
    public const int BackstopPages = 10_000;

    private readonly SqliteConnection _connection;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private bool _requested;
    private bool _stopping;
    private int _commits;
    private long _checkpoints;

    public WalCheckpointer(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _thread = new Thread(Run) { IsBackground = true, Name = "plexus-checkpoint" };
        _thread.UnsafeStart();
    }

    /// <summary>Checkpoints run so far (for tests).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Called by the writer after each commit (under its lock); every <see cref="CommitsPerCheckpoint"/>th asks for a checkpoint and returns at once.</summary>
    public void Committed()
    {
        if (++_commits < CommitsPerCheckpoint) return;
        _commits = 0;
        Request();
    }

    /// <summary>Asks for a checkpoint and returns at once.</summary>
    public void Request()
    {
        lock (_gate)
        {
            _requested = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        using var checkpoint = _connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (true)
        {
            lock (_gate)
            {
                while (!_requested && !_stopping) Monitor.Wait(_gate);
                if (_stopping) return;
                _requested = false;
            }
            try
            {
                checkpoint.ExecuteNonQuery();
                Interlocked.Increment(ref _checkpoints);
            }
            catch (SqliteException)
            {
                // The log is still whole: the next checkpoint (or the writer's backstop, or its close) copies it.
            }
        }
    }

    /// <summary>Stops the thread after the checkpoint it is running, and closes its connection.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
        _connection.Dispose();
    }
}
