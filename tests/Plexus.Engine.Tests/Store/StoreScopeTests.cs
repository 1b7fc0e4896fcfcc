using Plexus.Engine.Model;
using Plexus.Engine.Store;

namespace Plexus.Engine.Tests.Store;

/// <summary>Every record carries its scope, written as Docker writes a network's ("local", "global").</summary>
public sealed class StoreScopeTests
{
    [Fact]
    public void Scope_is_stored_as_a_word_and_old_records_read_as_local()
    {
        using var dir = new TempDirectory();
        using (var store = new SqliteStore(dir.DataRoot))
        {
            var global = Samples.MinimalNetwork("overlay1") with { Scope = DataScope.Global };
            store.Commit(new StoreBatch().Put(global).Put(Samples.MinimalNetwork("web")));
            var json = (string)RawSql.Scalar(dir.DatabasePath, "SELECT data FROM networks WHERE name = 'overlay1'")!;
            Assert.Contains("\"scope\":\"global\"", json, StringComparison.Ordinal);
        }

        // A row written before scopes existed has no "scope" property: it is a local object.
        RawSql.Execute(dir.DatabasePath, "UPDATE networks SET data = json_remove(data, '$.scope') WHERE name = 'web'");
        using var reopened = new SqliteStore(dir.DataRoot);
        var networks = reopened.Load().Networks.ToDictionary(n => n.Name);
        Assert.Equal(DataScope.Global, networks["overlay1"].Scope);
        Assert.Equal(DataScope.Local, networks["web"].Scope);
    }

    [Fact]
    public void A_scope_that_is_not_a_known_word_is_refused_when_loading()
    {
        using var dir = new TempDirectory();
        using (var store = new SqliteStore(dir.DataRoot))
            store.Commit(new StoreBatch().Put(Samples.MinimalNetwork("web")));
        RawSql.Execute(dir.DatabasePath, "UPDATE networks SET data = json_set(data, '$.scope', 'galactic') WHERE name = 'web'");

        using var reopened = new SqliteStore(dir.DataRoot);
        Assert.ThrowsAny<Exception>(() => reopened.Load());
    }
}
