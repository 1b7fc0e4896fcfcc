using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Tests.Store;

public sealed class SqliteStoreFileTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Creates_the_data_root_with_mode_0700_and_the_database_in_it()
    {
        using var dir = new TempDirectory();
        Assert.False(Directory.Exists(dir.DataRoot));

        using var store = new SqliteStore(dir.DataRoot);

        Assert.Equal(dir.DatabasePath, store.DatabasePath);
        Assert.True(File.Exists(dir.DatabasePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(dir.DataRoot));
    }

    [Fact]
    public void A_relative_data_root_is_made_absolute()
    {
        using var dir = new TempDirectory();
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, dir.DataRoot);
        Assert.False(Path.IsPathRooted(relative));

        using var store = new SqliteStore(relative);
        Assert.Equal(dir.DataRoot, store.DataRoot);
        Assert.Equal(dir.DatabasePath, store.DatabasePath);
    }

    [Fact]
    public void Reopening_after_dispose_sees_what_was_committed()
    {
        using var dir = new TempDirectory();
        var network = Samples.Network();
        var sandbox = Samples.Sandbox();
        var endpoint = Samples.Endpoint(network.Id, sandbox.Id);
        using (var store = new SqliteStore(dir.DataRoot))
        {
            store.Commit(new StoreBatch().Put(network).Put(sandbox));
            store.Commit(new StoreBatch().Put(endpoint));
        }

        using var reopened = new SqliteStore(dir.DataRoot);
        var snapshot = reopened.Load();
        Deep.Equal(network, Assert.Single(snapshot.Networks));
        Deep.Equal(sandbox, Assert.Single(snapshot.Sandboxes));
        Deep.Equal(endpoint, Assert.Single(snapshot.Endpoints));
    }

    [Fact]
    public void A_second_instance_on_the_same_file_sees_the_first_ones_commits_and_the_other_way_round()
    {
        using var dir = new TempDirectory();
        using var first = new SqliteStore(dir.DataRoot);
        using var second = new SqliteStore(dir.DataRoot);
        Assert.Empty(second.Load().Networks);

        var a = Samples.Network("a");
        first.Commit(new StoreBatch().Put(a));
        Deep.Equal(a, Assert.Single(second.Load().Networks));

        var b = Samples.Sandbox("b");
        second.Commit(new StoreBatch().Put(b));
        Deep.Equal(b, Assert.Single(first.Load().Sandboxes));

        // The database, not each instance, enforces the names.
        var ex = Assert.Throws<PlexusException>(() => second.Commit(new StoreBatch().Put(Samples.Network("a"))));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
    }

    [Fact]
    public void The_database_is_in_WAL_mode()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        store.Commit(new StoreBatch().Put(Samples.Network()));

        // Asked through a connection of our own: WAL is a property of the file, not of the store's connection.
        Assert.Equal("wal", RawSql.Scalar(dir.DatabasePath, "PRAGMA journal_mode"));
        Assert.True(File.Exists(dir.DatabasePath + "-wal"));
    }

    [Fact]
    public void The_store_connection_has_its_pragmas_set()
    {
        using var dir = new TempDirectory();
        using var store = new SqliteStore(dir.DataRoot);
        Assert.Equal(1L, store.QueryScalar("PRAGMA synchronous")); // NORMAL
        Assert.Equal(1L, store.QueryScalar("PRAGMA foreign_keys"));
        Assert.Equal(5000L, store.QueryScalar("PRAGMA busy_timeout"));
    }

    [Fact]
    public void A_new_database_records_its_schema_version_and_application_id()
    {
        using var dir = new TempDirectory();
        new SqliteStore(dir.DataRoot).Dispose();

        Assert.Equal((long)Schema.Version, RawSql.Scalar(dir.DatabasePath, "PRAGMA user_version"));
        Assert.Equal(1, Schema.Version);
        Assert.Equal((long)Schema.ApplicationId, RawSql.Scalar(dir.DatabasePath, "PRAGMA application_id"));
        Assert.Equal(3L, RawSql.Scalar(dir.DatabasePath,
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('networks', 'endpoints', 'sandboxes')"));
    }

    [Fact]
    public void A_database_of_a_newer_schema_version_is_refused()
    {
        using var dir = new TempDirectory();
        using (var store = new SqliteStore(dir.DataRoot))
            store.Commit(new StoreBatch().Put(Samples.Network()));
        RawSql.Execute(dir.DatabasePath, $"PRAGMA user_version = {Schema.Version + 1}");

        var ex = Assert.Throws<PlexusException>(() => new SqliteStore(dir.DataRoot));
        Assert.Equal(ErrorKind.Internal, ex.Kind);
        Assert.Contains($"schema version {Schema.Version + 1}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"knows versions up to {Schema.Version}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(dir.DatabasePath, ex.Message, StringComparison.Ordinal);

        // Refusing changed nothing: the version is still the newer one and the data is there.
        Assert.Equal((long)Schema.Version + 1, RawSql.Scalar(dir.DatabasePath, "PRAGMA user_version"));
        Assert.Equal(1L, RawSql.Scalar(dir.DatabasePath, "SELECT count(*) FROM networks"));
    }

    [Fact]
    public void Another_programs_database_is_refused_and_left_alone()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.DataRoot);
        RawSql.Create(dir.DatabasePath, "CREATE TABLE things (x)");

        var ex = Assert.Throws<PlexusException>(() => new SqliteStore(dir.DataRoot));
        Assert.Contains("not a Plexus store", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0L, RawSql.Scalar(dir.DatabasePath, "SELECT count(*) FROM sqlite_schema WHERE name = 'networks'"));
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_path()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.DataRoot);
        File.WriteAllText(dir.DatabasePath, new string('x', 4096));

        var ex = Assert.Throws<PlexusException>(() => new SqliteStore(dir.DataRoot));
        Assert.Equal(ErrorKind.Internal, ex.Kind);
        Assert.Contains(dir.DatabasePath, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("networks", "{not json")]
    [InlineData("endpoints", "{not json")]
    [InlineData("sandboxes", "{not json")]
    [InlineData("networks", "null")]
    [InlineData("networks", "{\"id\":\"x\"}")] // valid JSON, required members missing
    public void A_corrupted_row_fails_Load_with_the_table_and_the_id(string table, string data)
    {
        using var dir = new TempDirectory();
        var ids = StoreOneOfEach(dir);
        RawSql.Execute(dir.DatabasePath, $"UPDATE {table} SET data = $data WHERE id = $id", ("$data", data), ("$id", ids[table]));

        using var store = new SqliteStore(dir.DataRoot);
        var ex = Assert.Throws<PlexusException>(store.Load);
        Assert.Equal(ErrorKind.Internal, ex.Kind);
        Assert.Contains($"row '{ids[table]}' of table {table}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("endpoints", "\"02:42:ac:12:05:07\"", "\"02:42:zz:12:05:07\"", "'02:42:zz:12:05:07' is not a MAC address, at $.mac")]
    [InlineData("endpoints", "\"172.18.5.7/16\"", "\"172.18.5.7/33\"", "172.18.5.7/33")]
    [InlineData("endpoints", "\"172.18.5.7/16\"", "\"172.18.5.7\"", "172.18.5.7")]
    [InlineData("networks", "\"172.18.0.0/16\"", "\"172.18.0.1/16\"", "172.18.0.1/16")] // host bits set
    [InlineData("networks", "\"172.18.0.0/16\"", "\"172.18.0.0/40\"", "172.18.0.0/40")]
    [InlineData("networks", "\"172.18.0.1\"", "\"172.18.0.300\"", "172.18.0.300")]
    [InlineData("networks", "\"name\":\"web\"", "\"name\":null", "name")]
    [InlineData("sandboxes", "\"pid\":4242", "\"pid\":\"4242\"", "pid")]
    public void A_row_with_a_bad_value_fails_Load_naming_the_row_and_the_value(string table, string good, string bad, string named)
    {
        using var dir = new TempDirectory();
        var ids = StoreOneOfEach(dir);
        var data = (string)RawSql.Scalar(dir.DatabasePath, $"SELECT data FROM {table} WHERE id = $id", ("$id", ids[table]))!;
        Assert.Contains(good, data, StringComparison.Ordinal);
        var firstAt = data.IndexOf(good, StringComparison.Ordinal);
        var broken = string.Concat(data.AsSpan(0, firstAt), bad, data.AsSpan(firstAt + good.Length));
        RawSql.Execute(dir.DatabasePath, $"UPDATE {table} SET data = $data WHERE id = $id", ("$data", broken), ("$id", ids[table]));

        using var store = new SqliteStore(dir.DataRoot);
        var ex = Assert.Throws<PlexusException>(store.Load);
        Assert.Contains($"row '{ids[table]}' of table {table}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_whose_columns_disagree_with_its_data_fails_Load()
    {
        using var dir = new TempDirectory();
        var ids = StoreOneOfEach(dir);
        RawSql.Execute(dir.DatabasePath, "UPDATE sandboxes SET name = 'renamed-by-hand' WHERE id = $id", ("$id", ids["sandboxes"]));

        using var store = new SqliteStore(dir.DataRoot);
        var ex = Assert.Throws<PlexusException>(store.Load);
        Assert.Contains($"row '{ids["sandboxes"]}' of table sandboxes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("column name is 'renamed-by-hand'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_closes_the_database()
    {
        using var dir = new TempDirectory();
        var store = new SqliteStore(dir.DataRoot);
        store.Commit(new StoreBatch().Put(Samples.Network()));
        Assert.True(File.Exists(dir.DatabasePath + "-wal"));

        store.Dispose();

        // SQLite removes the log when the last connection to the database closes.
        Assert.False(File.Exists(dir.DatabasePath + "-wal"));
        Assert.Throws<ObjectDisposedException>(store.Load);
        Assert.Throws<ObjectDisposedException>(() => store.Commit(new StoreBatch().Put(Samples.Network())));
        store.Dispose();
    }

    private static Dictionary<string, string> StoreOneOfEach(TempDirectory dir)
    {
        var network = Samples.Network();
        var sandbox = Samples.Sandbox();
        var endpoint = Samples.Endpoint(network.Id, sandbox.Id);
        using (var store = new SqliteStore(dir.DataRoot))
        {
            store.Commit(new StoreBatch().Put(network).Put(sandbox).Put(endpoint));
            Assert.Single(store.Load().Endpoints);
        }
        return new() { ["networks"] = network.Id, ["endpoints"] = endpoint.Id, ["sandboxes"] = sandbox.Id };
    }
}
