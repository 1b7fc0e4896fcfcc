using System.Text.Json;
using System.Text.Json.Nodes;

namespace Plexus.Cli.Tests.Support;

internal static class JsonAssert
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Same JSON, property order aside; on failure shows both, indented, for a readable diff.</summary>
    public static void Equal(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        if (!JsonNode.DeepEquals(e, a))
            Assert.Equal(e?.ToJsonString(Indented), a?.ToJsonString(Indented));
    }
}
