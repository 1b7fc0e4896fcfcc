using Plexus.Engine.Controller;
using Plexus.Engine.Model;

namespace Plexus.Engine.Tests.Controller;

public sealed class LookupTests
{
    private sealed record Item(string Id, string Name);

    private static readonly Item[] Items =
    [
        new("abc123" + new string('0', 58), "web"),
        new("abd456" + new string('0', 58), "db"),
        new("fff000" + new string('0', 58), "abc"),
    ];

    private static Item Find(string reference) => Lookup.Find(Items, reference, i => i.Id, i => i.Name, "network");

    [Fact]
    public void Full_id_then_exact_name_then_unique_prefix()
    {
        Assert.Equal("web", Find(Items[0].Id).Name);
        Assert.Equal("db", Find("db").Name);
        // "abc" is both a name and an id prefix: the name wins, as in Docker.
        Assert.Equal("abc", Find("abc").Name);
        Assert.Equal("db", Find("abd").Name);
        Assert.Equal("abc", Find("fff").Name);
    }

    [Fact]
    public void Ambiguous_and_missing_references_get_clear_errors()
    {
        var ambiguous = Assert.Throws<PlexusException>(() => Find("ab"));
        Assert.Equal(ErrorKind.InvalidArgument, ambiguous.Kind);
        Assert.Equal("network ab is ambiguous (2 matches found based on ID prefix)", ambiguous.Message);
        var missing = Assert.Throws<PlexusException>(() => Find("zzz"));
        Assert.Equal(ErrorKind.NotFound, missing.Kind);
        Assert.Equal("network zzz not found", missing.Message);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<PlexusException>(() => Find("")).Kind);
    }

    [Fact]
    public void Ids_are_64_lowercase_hex_and_unique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Ids.New()).ToList();
        Assert.All(ids, id => Assert.True(Ids.IsFullId(id), id));
        Assert.Equal(1000, ids.Distinct().Count());
        Assert.Equal(12, Ids.Short(ids[0]).Length);
        Assert.False(Ids.IsFullId(ids[0].ToUpperInvariant()));
    }
}
