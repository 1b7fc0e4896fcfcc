using System.Globalization;
using System.Security;
using System.Text;

namespace Plexus.Bench.Compare;

/// <summary>
/// Attach latency (p50, with the p95 as a thin whisker) against N for every measured system, written by
/// hand as SVG: N on a log-scale x axis, milliseconds on a log-scale y axis, one line per system.
/// </summary>
internal static class SvgPlot
{
    private const double Width = 760, Height = 460, Left = 70, Right = 190, Top = 40, Bottom = 60;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

    public static void Write(string path, IReadOnlyList<SystemResult> results, string subtitle)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory) Directory.CreateDirectory(directory);
        File.WriteAllText(path, Render(results, subtitle));
    }

    public static string Render(IReadOnlyList<SystemResult> results, string subtitle)
    {
        var series = results.Where(r => r.Phases.Count > 0).ToList();
        var ns = series.SelectMany(r => r.Phases.Select(p => p.N)).Distinct().Order().ToList();
        var values = series.SelectMany(r => r.Phases.SelectMany(p => new[] { p.AttachSummary.P50, p.AttachSummary.P95 })).Where(v => v > 0 && !double.IsNaN(v)).ToList();
        var svg = new StringBuilder();
        svg.AppendLine(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>"));
        svg.AppendLine(Inv($"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">Attach latency (p50; whisker to p95) against sandboxes already attached</text>"));
        svg.AppendLine(Inv($"<text x=\"{Width / 2}\" y=\"34\" text-anchor=\"middle\" fill=\"#555\">{SecurityElement.Escape(subtitle)}</text>"));
        if (ns.Count == 0 || values.Count == 0)
        {
            svg.AppendLine(Inv($"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\">no system measured</text>"));
            svg.AppendLine("</svg>");
            return svg.ToString();
        }
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        // y: whole decades around the data.
        double yMin = Math.Pow(10, Math.Floor(Math.Log10(values.Min()))), yMax = Math.Pow(10, Math.Ceiling(Math.Log10(values.Max())));
        if (yMax <= yMin) yMax = yMin * 10;
        double xMin = Math.Log10(ns[0]), xMax = Math.Log10(ns[^1]);
        double X(int n) => ns.Count == 1 ? Left + (plotW / 2) : Left + ((Math.Log10(n) - xMin) / (xMax - xMin) * plotW);
        double Y(double ms) => Top + plotH - ((Math.Log10(ms) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin)) * plotH);

        svg.AppendLine(Inv($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>"));
        for (double decade = yMin; decade <= yMax * 1.0001; decade *= 10)
        {
            for (int m = 1; m < 10 && decade * m <= yMax * 1.0001; m++)
            {
                double y = Y(decade * m);
                svg.AppendLine(Inv($"<line x1=\"{Left}\" x2=\"{Left + plotW}\" y1=\"{y:F1}\" y2=\"{y:F1}\" stroke=\"{(m == 1 ? "#bbb" : "#eee")}\"/>"));
            }
            svg.AppendLine(Inv($"<text x=\"{Left - 6}\" y=\"{Y(decade) + 4:F1}\" text-anchor=\"end\">{Label(decade)}</text>"));
        }
        foreach (var n in ns)
        {
            svg.AppendLine(Inv($"<line x1=\"{X(n):F1}\" x2=\"{X(n):F1}\" y1=\"{Top}\" y2=\"{Top + plotH}\" stroke=\"#eee\"/>"));
            svg.AppendLine(Inv($"<text x=\"{X(n):F1}\" y=\"{Top + plotH + 16}\" text-anchor=\"middle\">{n}</text>"));
        }
        svg.AppendLine(Inv($"<text x=\"{Left + (plotW / 2)}\" y=\"{Height - 18}\" text-anchor=\"middle\">N, sandboxes already attached to the network (log scale)</text>"));
        svg.AppendLine(Inv($"<text transform=\"translate(18 {Top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">attach latency, ms (log scale)</text>"));

        for (int i = 0; i < series.Count; i++)
        {
            var r = series[i];
            var color = Colors[i % Colors.Length];
            var points = string.Join(' ', r.Phases.Select(p => Inv($"{X(p.N):F1},{Y(p.AttachSummary.P50):F1}")));
            svg.AppendLine(Inv($"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>"));
            foreach (var p in r.Phases)
            {
                double x = X(p.N), y50 = Y(p.AttachSummary.P50), y95 = Y(p.AttachSummary.P95);
                svg.AppendLine(Inv($"<line x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"{y50:F1}\" y2=\"{y95:F1}\" stroke=\"{color}\" stroke-width=\"1\"/>"));
                svg.AppendLine(Inv($"<circle cx=\"{x:F1}\" cy=\"{y50:F1}\" r=\"3.5\" fill=\"{color}\"><title>{r.Name} N={p.N}: p50 {p.AttachSummary.P50:F3} ms, p95 {p.AttachSummary.P95:F3} ms</title></circle>"));
            }
            double ly = Top + 14 + (i * 20);
            svg.AppendLine(Inv($"<line x1=\"{Left + plotW + 14}\" x2=\"{Left + plotW + 38}\" y1=\"{ly - 4}\" y2=\"{ly - 4}\" stroke=\"{color}\" stroke-width=\"2\"/>"));
            var last = r.Phases[^1];
            svg.AppendLine(Inv($"<text x=\"{Left + plotW + 44}\" y=\"{ly}\">{SecurityElement.Escape(r.Name)} ({Label(last.AttachSummary.P50)} ms)</text>"));
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Label(double ms) => ms >= 1 ? Inv($"{ms:0.##}") : ms >= 0.01 ? Inv($"{ms:0.###}") : Inv($"{ms:0.####}");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
