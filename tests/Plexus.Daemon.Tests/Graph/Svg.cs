using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Plexus.Testing;

namespace Plexus.Daemon.Tests.Graph;

/// <summary>What a reader of the SVG can check: it is XML, the words it shows, where its boxes are, and that it renders.</summary>
internal static class Svg
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    /// <summary>Parses as any XML tool would (Graphviz writes a DOCTYPE; it is not fetched).</summary>
    public static XDocument Parse(string svg)
    {
        using var reader = XmlReader.Create(new StringReader(svg), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
        return XDocument.Load(reader);
    }

    /// <summary>Every piece of text the picture shows.</summary>
    public static IReadOnlyList<string> Texts(XDocument svg) => svg.Descendants(Ns + "text").Select(t => t.Value).ToList();

    /// <summary>Renders with librsvg (rsvg-convert) to a PNG file; fails the test when it cannot.</summary>
    public static byte[] RenderPng(string svg)
    {
        var dir = Directory.CreateTempSubdirectory("plexus-graph-test-");
        try
        {
            var input = Path.Combine(dir.FullName, "picture.svg");
            var output = Path.Combine(dir.FullName, "picture.png");
            File.WriteAllText(input, svg);
            var (code, said) = Processes.Run("rsvg-convert", ["--unlimited", "-o", output, input], 120_000);
            Assert.True(code == 0, $"rsvg-convert failed ({code}): {said}");
            var png = File.ReadAllBytes(output);
            Assert.True(png.Length > 8 && png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "not a PNG");
            return png;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The bounding box of each node (its table's polygons), by node id.</summary>
    public static Dictionary<string, Box> NodeBoxes(XDocument svg) =>
        svg.Descendants(Ns + "g").Where(g => (string?)g.Attribute("class") == "node")
            .ToDictionary(g => g.Element(Ns + "title")!.Value, g => Box.Around(g.Descendants(Ns + "polygon").SelectMany(Points)));

    /// <summary>Edge labels with an estimate of their extent (Graphviz gives the anchor; width from the text).</summary>
    public static IReadOnlyList<(string Text, Box Box)> EdgeLabels(XDocument svg) =>
        svg.Descendants(Ns + "g").Where(g => (string?)g.Attribute("class") == "edge")
            .SelectMany(g => g.Elements(Ns + "text"))
            .Select(t =>
            {
                double x = Number(t.Attribute("x")), y = Number(t.Attribute("y")), size = Number(t.Attribute("font-size"));
                double width = t.Value.Length * size * 0.55;
                double left = (string?)t.Attribute("text-anchor") switch { "middle" => x - width / 2, "end" => x - width, _ => x };
                return (t.Value, new Box(left, y - size * 0.8, left + width, y + size * 0.2));
            })
            .ToList();

    private static IEnumerable<(double X, double Y)> Points(XElement polygon) =>
        ((string?)polygon.Attribute("points") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)));

    private static double Number(XAttribute? a) => double.Parse(a?.Value ?? "0", CultureInfo.InvariantCulture);
}

internal readonly record struct Box(double Left, double Top, double Right, double Bottom)
{
    public static Box Around(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        return new Box(list.Min(p => p.X), list.Min(p => p.Y), list.Max(p => p.X), list.Max(p => p.Y));
    }

    /// <summary>Overlap by more than <paramref name="slack"/> points in both directions (touching edges do not count).</summary>
    public bool Overlaps(Box other, double slack = 1) =>
        Math.Min(Right, other.Right) - Math.Max(Left, other.Left) > slack && Math.Min(Bottom, other.Bottom) - Math.Max(Top, other.Top) > slack;
}
