using System.Text.Json;

namespace Plexus.Bench.Kernel;

/// <summary>
/// The raw figures as JSON: every attach, step and detach in microseconds, in attach order, with the summaries
/// and the targets, so runs can be compared or plotted later. Written with Utf8JsonWriter: no reflection.
/// </summary>
internal static class JsonReport
{
    public static void Write(string path, MachineInfo machine, BenchOptions options, Calibration calibration, IReadOnlyList<IAttacher> attachers, IReadOnlyList<PhaseResult> phases)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory) Directory.CreateDirectory(directory);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("benchmark", "plexus kernel-layer attach");
        w.WriteString("unit", "microseconds");
        w.WriteStartObject("machine");
        w.WriteString("kernel", machine.Kernel);
        w.WriteNumber("cpus", machine.Cpus);
        w.WriteString("cpu_model", machine.CpuModel);
        w.WriteString("runtime", machine.Runtime);
        w.WriteString("ip", machine.IpVersion);
        w.WriteEndObject();

        w.WriteBoolean("sandbox_ipv6", options.SandboxIpv6);
        w.WriteNumber("warmup", options.Warmup);
        w.WriteNumber("gap_ms", options.GapMilliseconds);
        w.WriteNumber("noop_request_round_trip", calibration.NoOpRequestMicroseconds);
        w.WriteNumber("socket_open_close", calibration.SocketOpenCloseMicroseconds);

        w.WriteStartObject("methods");
        foreach (var a in attachers) w.WriteString(a.Name, a.Description);
        w.WriteEndObject();

        w.WriteStartArray("runs");
        foreach (var p in phases)
        {
            w.WriteStartObject();
            w.WriteString("method", p.Method);
            w.WriteNumber("n", p.Count);
            w.WriteNumber("setup_ms", p.SetupMilliseconds);
            if (!double.IsNaN(p.BusyBeforeAttach)) w.WriteNumber("busy_before_attach", p.BusyBeforeAttach);
            if (!double.IsNaN(p.BusyBeforeDetach)) w.WriteNumber("busy_before_detach", p.BusyBeforeDetach);
            WriteSummary(w, "attach_summary", p.AttachSummary);
            WriteSummary(w, "detach_summary", p.DetachSummary);
            WriteArray(w, "attach", p.Attach);
            WriteArray(w, "detach", p.Detach);
            w.WriteStartObject("steps");
            for (int i = 0; i < p.StepNames.Count; i++) WriteArray(w, p.StepNames[i], p.Steps[i]);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        var targets = Targets.Of(phases);
        w.WriteStartArray("scaling");
        foreach (var s in targets.Scalings)
        {
            w.WriteStartObject();
            w.WriteString("method", s.Method);
            w.WriteString("definition", Scaling.Definition(s.SmallCount, s.LargeCount));
            w.WriteNumber("small_n", s.SmallCount);
            w.WriteNumber("large_n", s.LargeCount);
            w.WriteNumber("small_median", s.SmallMedian);
            w.WriteNumber("large_head_median", s.LargeHeadMedian);
            w.WriteNumber("large_tail_median", s.LargeTailMedian);
            w.WriteNumber("ratio", s.Ratio);
            w.WriteNumber("within_run_ratio", s.WithinRunRatio);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("targets");
        w.WriteNumber("attach_median_ms_max", Targets.MedianMilliseconds);
        w.WriteBoolean("attach_median_met", targets.MedianMet);
        w.WriteNumber("scaling_max", Targets.MaxScaling);
        if (targets.OwnScaling is null) w.WriteNull("scaling_met");
        else w.WriteBoolean("scaling_met", targets.ScalingMet);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter w, string name, Summary s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", s.Count);
        if (s.Count == 0)
        {
            w.WriteEndObject();
            return;
        }
        w.WriteNumber("p50", s.P50);
        w.WriteNumber("p95", s.P95);
        w.WriteNumber("p99", s.P99);
        w.WriteNumber("mean", s.Mean);
        w.WriteNumber("min", s.Min);
        w.WriteNumber("max", s.Max);
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, List<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            if (double.IsNaN(v)) w.WriteNullValue();
            else w.WriteNumberValue(Math.Round(v, 2));
        }
        w.WriteEndArray();
    }
}
