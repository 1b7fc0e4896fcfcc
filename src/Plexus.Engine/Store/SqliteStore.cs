using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using Plexus.Engine.Model;

namespace Plexus.Engine.Store;

/// <summary>
/// The embedded store: one SQLite database, {dataRoot}/plexus.db, in WAL mode. Each record is a row whose
/// data column holds it as JSON (<see cref="StoreJsonContext"/>); names and references are columns too,
/// so the database itself refuses a duplicate name or an endpoint on a network it does not hold.
/// </summary>
/// <remarks>
/// One connection, guarded by a lock: SQLite runs one writer at a time anyway, commits are short, and a
/// single connection keeps its prepared statements, which is what makes a commit cheap. Another
/// SqliteStore on the same file (another process, or a test) works too: WAL lets it read while this one
/// writes, and writers wait for each other up to the busy timeout.
/// </remarks>
public sealed class SqliteStore : ILocalStore
{
    public const string DefaultDataRoot = "/var/lib/plexus";

    public const string FileName = "plexus.db";

    /// <summary>How long a commit waits for another connection's write transaction before it fails.</summary>
    private const int BusyTimeoutSeconds = 5;

    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_FOREIGNKEY, the extended result codes.
    private const int ConstraintUnique = 2067;
    private const int ConstraintForeignKey = 787;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _beginWrite;
    private readonly SqliteCommand _beginRead;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _releaseSavepoint;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly SqliteCommand _putNetwork;
    private readonly SqliteCommand _putEndpoint;
    private readonly SqliteCommand _putSandbox;
    private readonly SqliteCommand _deleteNetwork;
    private readonly SqliteCommand _deleteEndpoint;
    private readonly SqliteCommand _deleteSandbox;
    private readonly SqliteCommand _selectNetworks;
    private readonly SqliteCommand _selectEndpoints;
    private readonly SqliteCommand _selectSandboxes;
    private bool _disposed;
    private SqliteException? _fault;

    // Microsoft.Data.Sqlite would find the bundled native library by reflection; say it outright, and where it is.
    static SqliteStore()
    {
        SqliteNativeLibrary.Bind();
        SQLitePCL.Batteries_V2.Init();
    }

    /// <summary>
    /// Opens the store under <paramref name="dataRoot"/>, creating the directory (mode 0700) and the
    /// database if missing and migrating an older schema. Refuses a database of a newer schema version
    /// or a file that is not a Plexus store.
    /// </summary>
    public SqliteStore(string dataRoot = DefaultDataRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataRoot);
        DataRoot = Path.GetFullPath(dataRoot);
        DatabasePath = Path.Combine(DataRoot, FileName);
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("Plexus runs on Linux");
        try
        {
            // The mode applies to directories created here; an existing data root keeps the mode it has.
            Directory.CreateDirectory(DataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PlexusException(ErrorKind.Internal, $"cannot create the store's directory {DataRoot}: {ex.Message}", ex);
        }

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Pooling would keep the file open after Dispose; the store owns exactly one connection.
            Pooling = false,
            DefaultTimeout = BusyTimeoutSeconds,
        }.ToString());
        try
        {
            _connection.Open();
            Configure();
            Migrate();

            // BEGIN IMMEDIATE takes the write lock up front, so a batch never fails halfway because
            // another connection started writing after it had begun.
            _beginWrite = Prepare("BEGIN IMMEDIATE");
            _beginRead = Prepare("BEGIN");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            _savepoint = Prepare("SAVEPOINT batch");
            _releaseSavepoint = Prepare("RELEASE batch");
            _rollbackToSavepoint = Prepare("ROLLBACK TO batch");
            // Upserts keep the row (and its seq) of a record that is put again, so Load's order is the
            // order in which records were first stored.
            _putNetwork = Prepare("""
                INSERT INTO networks (id, name, data) VALUES ($id, $name, $data)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data
                """, "$id", "$name", "$data");
            _putEndpoint = Prepare("""
                INSERT INTO endpoints (id, name, network_id, sandbox_id, data)
                VALUES ($id, $name, $network_id, $sandbox_id, $data)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, network_id = excluded.network_id,
                    sandbox_id = excluded.sandbox_id, data = excluded.data
                """, "$id", "$name", "$network_id", "$sandbox_id", "$data");
            _putSandbox = Prepare("""
                INSERT INTO sandboxes (id, name, data) VALUES ($id, $name, $data)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, data = excluded.data
                """, "$id", "$name", "$data");
            _deleteNetwork = Prepare("DELETE FROM networks WHERE id = $id", "$id");
            _deleteEndpoint = Prepare("DELETE FROM endpoints WHERE id = $id", "$id");
            _deleteSandbox = Prepare("DELETE FROM sandboxes WHERE id = $id", "$id");
            _selectNetworks = Prepare("SELECT id, name, data FROM networks ORDER BY seq");
            _selectEndpoints = Prepare("SELECT id, name, data, network_id, sandbox_id FROM endpoints ORDER BY seq");
            _selectSandboxes = Prepare("SELECT id, name, data FROM sandboxes ORDER BY seq");
        }
        catch (SqliteException ex)
        {
            DisposeConnection();
            throw new PlexusException(ErrorKind.Internal, $"cannot open the store {DatabasePath}: {ex.Message}", ex);
        }
        catch
        {
            DisposeConnection();
            throw;
        }
    }

    /// <summary>The directory that holds the database (absolute).</summary>
    public string DataRoot { get; }

    /// <summary>The database file, {DataRoot}/plexus.db; SQLite keeps -wal and -shm files beside it.</summary>
    public string DatabasePath { get; }

    public StoreSnapshot Load()
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            try
            {
                // One read transaction: the three tables come from the same snapshot even while another
                // connection commits in between.
                _beginRead.ExecuteNonQuery();
                var networks = Read(_selectNetworks, "networks", StoreJsonContext.Default.NetworkState,
                    static (r, n) => Mismatch("id", r.GetString(0), n.Id) ?? Mismatch("name", r.GetString(1), n.Name));
                var endpoints = Read(_selectEndpoints, "endpoints", StoreJsonContext.Default.EndpointState,
                    static (r, e) => Mismatch("id", r.GetString(0), e.Id) ?? Mismatch("name", r.GetString(1), e.Name)
                        ?? Mismatch("network_id", r.GetString(3), e.NetworkId)
                        ?? Mismatch("sandbox_id", r.IsDBNull(4) ? null : r.GetString(4), e.SandboxId));
                var sandboxes = Read(_selectSandboxes, "sandboxes", StoreJsonContext.Default.SandboxState,
                    static (r, s) => Mismatch("id", r.GetString(0), s.Id) ?? Mismatch("name", r.GetString(1), s.Name));
                _commit.ExecuteNonQuery();
                return new StoreSnapshot(networks, endpoints, sandboxes);
            }
            catch (SqliteException ex)
            {
                throw new PlexusException(ErrorKind.Internal, $"cannot read the store {DatabasePath}: {ex.Message}", ex);
            }
            finally
            {
                RollbackIfActive();
            }
        }
    }

    /// <summary>
    /// Applies the batch in one transaction, in order. Puts insert or replace by id; deleting an id the
    /// store does not hold is not an error. At the end every endpoint must refer to a network (and, when
    /// joined, a sandbox) in the store. On any failure nothing is applied and the exception names the
    /// operation: a taken name is a <see cref="ErrorKind.Conflict"/>, so is a dangling reference.
    /// </summary>
    /// <remarks>
    /// Group commit: a batch that arrives while another is being written waits in a queue, and the next writer
    /// writes everything queued in one transaction (one WAL append and one lock hand-over for all of them), each
    /// batch inside a savepoint of its own so one that breaks a constraint fails alone. Concurrent attaches to
    /// one network each commit their endpoint; this keeps the store from serialising them.
    /// </remarks>
    public void Commit(StoreBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var mine = new Pending(batch);
        lock (_queueLock) (_queue ??= []).Add(mine);
        lock (_gate)
        {
            if (!mine.Done)
            {
                List<Pending> group;
                lock (_queueLock)
                {
                    group = _queue!;
                    _queue = null;
                }
                CommitGroup(group);
            }
        }
        if (mine.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>A batch waiting for a writer, and what became of it.</summary>
    private sealed class Pending(StoreBatch batch)
    {
        public StoreBatch Batch { get; } = batch;
        public bool Done;
        public Exception? Error;
    }

    private readonly Lock _queueLock = new();
    private List<Pending>? _queue;

    /// <summary>The most batches one transaction has held (for tests).</summary>
    internal int LargestGroup { get; private set; }

    /// <summary>Writes the queued batches: one alone as before; several in one transaction, a savepoint each.</summary>
    private void CommitGroup(List<Pending> group)
    {
        try
        {
            if (group.Count == 1)
            {
                Run(group[0], () => CommitOne(group[0].Batch));
                return;
            }
            try
            {
                ThrowIfUnusable();
            }
            catch (Exception e) when (e is PlexusException or ObjectDisposedException)
            {
                foreach (var p in group) p.Error = e;
                return;
            }
            var work = group.Where(p => !p.Batch.IsEmpty).ToList();
            if (work.Count == 0) return;
            LargestGroup = Math.Max(LargestGroup, work.Count);
            try
            {
                _beginWrite.ExecuteNonQuery();
            }
            catch (SqliteException ex)
            {
                var error = new PlexusException(ErrorKind.Internal,
                    $"cannot write to the store {DatabasePath}: {ex.Message}; nothing in the batch was applied", ex);
                foreach (var p in work) p.Error = error;
                return;
            }
            try
            {
                foreach (var p in work)
                {
                    _savepoint.ExecuteNonQuery();
                    p.Error = ApplyAll(p.Batch);
                    if (p.Error is not null) _rollbackToSavepoint.ExecuteNonQuery();
                    _releaseSavepoint.ExecuteNonQuery();
                }
                try
                {
                    _commit.ExecuteNonQuery();
                }
                catch (SqliteException ex) when (ex.SqliteExtendedErrorCode == ConstraintForeignKey)
                {
                    // References are checked at COMMIT, for the whole group: find the batch at fault by writing
                    // each on its own (a rare path: it means the engine sent a dangling reference).
                    RollbackIfActive();
                    foreach (var p in work.Where(p => p.Error is null)) Run(p, () => CommitOne(p.Batch));
                }
                catch (SqliteException ex)
                {
                    var error = new PlexusException(ErrorKind.Internal,
                        $"the store {DatabasePath} could not commit the batch: {ex.Message}; nothing in it was applied", ex);
                    foreach (var p in work) p.Error ??= error;
                }
            }
            catch (Exception ex)
            {
                // A savepoint statement failed, or a batch could not be written at all (an operation the store does
                // not know): the transaction is in no state to keep, and is rolled back for every batch in it, so
                // each is told, none reported as saved.
                var error = new PlexusException(ErrorKind.Internal, $"the store {DatabasePath} could not write the batch: {ex.Message}; nothing in it was applied", ex);
                foreach (var p in work) p.Error ??= error;
            }
            finally
            {
                RollbackIfActive();
            }
        }
        finally
        {
            foreach (var p in group) p.Done = true;
        }
    }

    private static void Run(Pending p, Action commit)
    {
        try
        {
            commit();
        }
        catch (Exception e) when (e is PlexusException or ObjectDisposedException)
        {
            p.Error = e;
        }
    }

    /// <summary>Applies a batch's operations inside the open transaction; returns the failure, or null.</summary>
    private PlexusException? ApplyAll(StoreBatch batch)
    {
        var operations = batch.Operations;
        for (int i = 0; i < operations.Count; i++)
        {
            try
            {
                Apply(operations[i]);
            }
            catch (SqliteException ex)
            {
                return Failure(operations[i], i, operations.Count, ex);
            }
            catch (JsonException ex)
            {
                return Failure(operations[i], i, operations.Count, ex);
            }
        }
        return null;
    }

    /// <summary>One batch in a transaction of its own (called with the writer's lock held).</summary>
    private void CommitOne(StoreBatch batch)
    {
        ThrowIfUnusable();
        if (batch.IsEmpty) return;
        try
        {
            _beginWrite.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw new PlexusException(ErrorKind.Internal,
                $"cannot write to the store {DatabasePath}: {ex.Message}; nothing in the batch was applied", ex);
        }

        try
        {
            if (ApplyAll(batch) is { } failure) throw failure;
            try
            {
                _commit.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (ex.SqliteExtendedErrorCode == ConstraintForeignKey)
            {
                // A failed COMMIT leaves the transaction open: find the row at fault, then roll back.
                throw DanglingReference(batch, ex);
            }
            catch (SqliteException ex)
            {
                throw new PlexusException(ErrorKind.Internal,
                    $"the store {DatabasePath} could not commit the batch: {ex.Message}; nothing in it was applied", ex);
            }
        }
        finally
        {
            RollbackIfActive();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            DisposeConnection();
        }
    }

    /// <summary>For tests: one value from a query on the store's own connection (e.g. a PRAGMA).</summary>
    internal object? QueryScalar(string sql)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
            return Scalar(sql);
        }
    }

    private void Configure()
    {
        Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}"));

        // Write-ahead log: a commit appends to plexus.db-wal instead of rewriting pages in place, readers
        // (another SqliteStore, a sqlite3 shell) never block the writer, and the mode is stored in the file.
        var mode = Scalar("PRAGMA journal_mode = WAL") as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new PlexusException(ErrorKind.Internal,
                $"the store {DatabasePath} cannot use write-ahead logging (SQLite answered journal_mode '{mode}'); " +
                "put the data root on a local file system");

        // synchronous=NORMAL: in WAL mode COMMIT writes the transaction to the -wal file (write(2), no
        // fsync) before it returns. Once written it is in the kernel's page cache, so it survives the
        // daemon crashing or being killed; the next open replays the log. That is the promise the engine
        // needs ("every state change is committed before the operation reports success"). Only a kernel
        // crash or power loss can lose the last commits, and never corrupts the database; a reboot also
        // removes the bridges, veths and namespaces those commits described, which restore reconciles.
        // FULL would fsync on every commit: milliseconds per operation on ordinary disks, for nothing
        // the engine can use.
        Execute("PRAGMA synchronous = NORMAL");
        Execute("PRAGMA foreign_keys = ON");
    }

    private void Migrate()
    {
        // Under the write lock, so two processes opening a new file do not both create the tables.
        Execute("BEGIN IMMEDIATE");
        try
        {
            long applicationId = Convert.ToInt64(Scalar("PRAGMA application_id"), CultureInfo.InvariantCulture);
            long version = Convert.ToInt64(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);
            if (applicationId != Schema.ApplicationId)
            {
                long objects = Convert.ToInt64(Scalar("SELECT count(*) FROM sqlite_schema"), CultureInfo.InvariantCulture);
                if (applicationId != 0 || version != 0 || objects != 0)
                    throw new PlexusException(ErrorKind.Internal,
                        $"{DatabasePath} is an SQLite database but not a Plexus store (application_id {applicationId}, " +
                        $"user_version {version}, {objects} schema objects); move it away or use another data root");
            }

            if (version > Schema.Version)
                throw new PlexusException(ErrorKind.Internal,
                    $"the store {DatabasePath} has schema version {version}, but this Plexus knows versions up to " +
                    $"{Schema.Version}: a newer Plexus wrote it. Refusing to open it rather than misread it; run that " +
                    "newer Plexus, or restore a backup made before it ran");

            if (version < Schema.Version)
            {
                for (long v = version; v < Schema.Version; v++)
                    Execute(Schema.Migrations[v]);
                Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {Schema.Version}"));
                Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {Schema.ApplicationId}"));
            }

            Execute("COMMIT");
        }
        catch
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
                Execute("ROLLBACK");
            throw;
        }
    }

    private void Apply(StoreOperation operation)
    {
        switch (operation)
        {
            case StoreOperation.PutNetwork(var n):
                Run(_putNetwork, n.Id, n.Name, Serialize(n, StoreJsonContext.Default.NetworkState));
                break;
            case StoreOperation.PutEndpoint(var e):
                Run(_putEndpoint, e.Id, e.Name, e.NetworkId, e.SandboxId, Serialize(e, StoreJsonContext.Default.EndpointState));
                break;
            case StoreOperation.PutSandbox(var s):
                Run(_putSandbox, s.Id, s.Name, Serialize(s, StoreJsonContext.Default.SandboxState));
                break;
            case StoreOperation.DeleteNetwork(var id):
                Run(_deleteNetwork, id);
                break;
            case StoreOperation.DeleteEndpoint(var id):
                Run(_deleteEndpoint, id);
                break;
            case StoreOperation.DeleteSandbox(var id):
                Run(_deleteSandbox, id);
                break;
            default:
                throw new ArgumentException($"unknown store operation {operation}", nameof(operation));
        }
    }

    private static PlexusException Failure(StoreOperation operation, int index, int count, Exception ex)
    {
        if (ex is SqliteException { SqliteExtendedErrorCode: ConstraintUnique })
        {
            // Ids are upserted, so the only unique keys a put can violate are the names.
            var message = operation switch
            {
                StoreOperation.PutNetwork(var n) => $"a network named '{n.Name}' already exists in the store",
                StoreOperation.PutSandbox(var s) => $"a sandbox named '{s.Name}' already exists in the store",
                StoreOperation.PutEndpoint(var e) => $"an endpoint named '{e.Name}' already exists in network '{e.NetworkId}'",
                _ => null,
            };
            if (message is not null) return new PlexusException(ErrorKind.Conflict, message, ex);
        }

        return new PlexusException(ErrorKind.Internal,
            $"the store could not {Describe(operation)} (operation {index + 1} of {count}): {ex.Message}; " +
            "nothing in the batch was applied", ex);
    }

    private PlexusException DanglingReference(StoreBatch batch, SqliteException ex)
    {
        using var find = _connection.CreateCommand();
        find.CommandText = """
            SELECT e.id, e.name, 'network', e.network_id FROM endpoints e
            WHERE NOT EXISTS (SELECT 1 FROM networks n WHERE n.id = e.network_id)
            UNION ALL
            SELECT e.id, e.name, 'sandbox', e.sandbox_id FROM endpoints e
            WHERE e.sandbox_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sandboxes s WHERE s.id = e.sandbox_id)
            LIMIT 1
            """;
        using var reader = find.ExecuteReader();
        if (!reader.Read())
            return new PlexusException(ErrorKind.Internal,
                $"the store refused the batch: {ex.Message}; nothing in it was applied", ex);

        string endpointId = reader.GetString(0), endpointName = reader.GetString(1);
        string kind = reader.GetString(2), parentId = reader.GetString(3);
        bool deleted = batch.Operations.Any(op => op switch
        {
            StoreOperation.DeleteNetwork(var id) => kind == "network" && id == parentId,
            StoreOperation.DeleteSandbox(var id) => kind == "sandbox" && id == parentId,
            _ => false,
        });
        return new PlexusException(ErrorKind.Conflict, deleted
            ? $"cannot delete {kind} '{parentId}' from the store: endpoint '{endpointName}' ({endpointId}) still refers to it"
            : $"endpoint '{endpointName}' ({endpointId}) refers to {kind} '{parentId}', which is not in the store", ex);
    }

    private static string Describe(StoreOperation operation) => operation switch
    {
        StoreOperation.PutNetwork(var n) => $"put network '{n.Name}' ({n.Id})",
        StoreOperation.PutEndpoint(var e) => $"put endpoint '{e.Name}' ({e.Id})",
        StoreOperation.PutSandbox(var s) => $"put sandbox '{s.Name}' ({s.Id})",
        StoreOperation.DeleteNetwork(var id) => $"delete network {id}",
        StoreOperation.DeleteEndpoint(var id) => $"delete endpoint {id}",
        StoreOperation.DeleteSandbox(var id) => $"delete sandbox {id}",
        _ => operation.ToString(),
    };

    private List<T> Read<T>(SqliteCommand select, string table, JsonTypeInfo<T> type,
        Func<SqliteDataReader, T, string?> mismatch) where T : class
    {
        var records = new List<T>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            string? problem;
            T? record = null;
            try
            {
                record = JsonSerializer.Deserialize(reader.GetString(2), type);
                problem = record is null ? "its data is null" : mismatch(reader, record);
            }
            catch (JsonException ex)
            {
                // The serializer puts the path in its own messages but not in a converter's.
                problem = ex.Path is null || ex.Message.Contains("Path: ", StringComparison.Ordinal)
                    ? ex.Message : $"{ex.Message}, at {ex.Path}";
            }

            // Dropping the row would make a restart forget an object whose kernel state still exists.
            if (problem is not null)
                throw new PlexusException(ErrorKind.Internal,
                    $"the store {DatabasePath} is damaged: row '{id}' of table {table} cannot be read ({problem}). " +
                    "Nothing was loaded; repair or delete that row, or restore a backup");
            records.Add(record!);
        }
        return records;
    }

    private static string? Mismatch(string column, string? inColumn, string? inData) =>
        string.Equals(inColumn, inData, StringComparison.Ordinal) ? null
            : $"column {column} is '{inColumn}' but its data says '{inData}'";

    private static string Serialize<T>(T record, JsonTypeInfo<T> type) => JsonSerializer.Serialize(record, type);

    private static void Run(SqliteCommand command, params string?[] values)
    {
        for (int i = 0; i < values.Length; i++)
            command.Parameters[i].Value = (object?)values[i] ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
            command.Parameters.Add(name, SqliteType.Text);
        _commands.Add(command);
        command.Prepare();
        return command;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void RollbackIfActive()
    {
        if (_fault is not null || SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) != 0) return;
        try
        {
            _rollback.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            // The connection is in a state nobody can reason about; refuse further work rather than
            // commit on top of a half-applied batch.
            _fault = ex;
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null)
            throw new PlexusException(ErrorKind.Internal,
                $"the store {DatabasePath} is unusable: rolling back a failed batch failed ({_fault.Message}); restart the daemon",
                _fault);
    }

    private void DisposeConnection()
    {
        foreach (var command in _commands)
            command.Dispose();
        _commands.Clear();
        _connection.Dispose();
    }
}
