using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Plexus.Cli.Output;

/// <summary>JSON as docker prints it: inspect's indented array (4 spaces), and one compact object per line for --format json.</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, IndentSize = 4, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>docker inspect's output: a JSON array of the objects, "[]" when there are none.</summary>
    public static string IndentedArray(IEnumerable<JsonElement> items)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Indented))
        {
            writer.WriteStartArray();
            foreach (var item in items) item.WriteTo(writer);
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
