namespace Plexus.Engine.Store;

/// <summary>
/// The store's tables and their versions. The version lives in <c>PRAGMA user_version</c>; a database is
/// marked as Plexus's by <c>PRAGMA application_id</c>. <see cref="Migrations"/>[v] takes a database from
/// version v to v + 1, so a new database (version 0) runs all of them and an old one runs the rest.
/// To change the schema: append a step, never edit one that has shipped.
/// </summary>
internal static class Schema
{
    /// <summary>"PLXS": tells a Plexus store from some other SQLite file at the same path.</summary>
    public const int ApplicationId = 0x504C5853;

    public static int Version => Migrations.Length;

    /// <remarks>
    /// Each table keeps the record as JSON in <c>data</c>, plus the columns the database must check or
    /// look up. <c>seq</c> is the row's creation order (an INTEGER PRIMARY KEY, so unlike a bare rowid it
    /// survives VACUUM) and <c>id</c> the key the engine uses; <c>NOT NULL</c> is spelled out because
    /// SQLite lets a TEXT key be NULL. References are checked at COMMIT (DEFERRABLE INITIALLY DEFERRED), so
    /// the order of operations inside a batch does not matter, only the state it leaves.
    /// </remarks>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE networks (
            seq  INTEGER PRIMARY KEY,
            id   TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL
        ) STRICT;

        CREATE TABLE sandboxes (
            seq  INTEGER PRIMARY KEY,
            id   TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL
        ) STRICT;

        CREATE TABLE endpoints (
            seq        INTEGER PRIMARY KEY,
            id         TEXT NOT NULL UNIQUE,
            name       TEXT NOT NULL,
            network_id TEXT NOT NULL REFERENCES networks (id) DEFERRABLE INITIALLY DEFERRED,
            sandbox_id TEXT REFERENCES sandboxes (id) DEFERRABLE INITIALLY DEFERRED,
            data       TEXT NOT NULL,
            -- Docker: "endpoint with name X already exists in network Y". Also the network_id index.
            UNIQUE (network_id, name)
        ) STRICT;

        CREATE INDEX endpoints_sandbox_id ON endpoints (sandbox_id);
        """,
    ];
}
