using System.Text.Json;

namespace Plexus.Bench.Compare;

/// <summary>The raw figures: every timed operation in milliseconds, in order, per system and scenario, with the targets.</summary>
internal static class JsonReport
{
    public static void Write(string path, MachineInfo machine, CompareOptions options, IReadOnlyList<SystemResult> results, DateTimeOffset started)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory) Directory.CreateDirectory(directory);
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("benchmark", "plexus compare");
        w.WriteString("unit", "milliseconds");
        w.WriteString("started", started);
        w.WriteBoolean("quick", options.Quick);
        w.WriteStartObject("machine");
        w.WriteString("kernel", machine.Kernel);
        w.WriteNumber("cpus", machine.Cpus);
        w.WriteString("cpu_model", machine.CpuModel);
        w.WriteString("runtime", machine.Runtime);
        w.WriteEndObject();
        w.WriteStartObject("options");
        WriteInts(w, "sizes", options.Sizes);
        w.WriteNumber("pairs", options.Pairs);
        w.WriteNumber("throughput_attaches", options.ThroughputAttaches);
        w.WriteNumber("throughput_clients", options.ThroughputClients);
        WriteInts(w, "port_counts", options.PortCounts);
        w.WriteNumber("network_cycles", options.NetworkCycles);
        w.WriteEndObject();

        w.WriteStartArray("systems");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("description", r.Description);
            w.WriteBoolean("measured", r.NotMeasured is null);
            if (r.NotMeasured is { } why) w.WriteString("not_measured", why);
            if (!double.IsNaN(r.StartSeconds)) w.WriteNumber("start_seconds", Math.Round(r.StartSeconds, 3));
            w.WriteStartArray("errors");
            foreach (var (scenario, message) in r.Errors)
            {
                w.WriteStartObject();
                w.WriteString("scenario", scenario);
                w.WriteString("message", message);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("network");
            if (r.NetworkUnsupported is { } nu) w.WriteString("not_applicable", nu);
            WriteArray(w, "create", r.NetworkCreate);
            WriteArray(w, "delete", r.NetworkDelete);
            w.WriteEndObject();

            w.WriteStartArray("attach");
            foreach (var p in r.Phases)
            {
                w.WriteStartObject();
                w.WriteNumber("n", p.N);
                w.WriteNumber("prepare_seconds", Math.Round(p.PrepareSeconds, 3));
                if (!double.IsNaN(p.BusyBefore)) w.WriteNumber("busy_before", Math.Round(p.BusyBefore, 3));
                WriteSummary(w, "attach_summary", p.AttachSummary);
                WriteSummary(w, "detach_summary", p.DetachSummary);
                WriteArray(w, "attach", p.Attach);
                WriteArray(w, "detach", p.Detach);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            if (r.Throughput is { } t)
            {
                w.WriteStartObject("throughput");
                w.WriteNumber("attaches", t.Count);
                w.WriteNumber("clients", t.Clients);
                w.WriteNumber("wall", Math.Round(t.WallMilliseconds, 3));
                w.WriteNumber("per_second", Math.Round(t.PerSecond, 2));
                WriteArray(w, "round_wall", t.RoundMilliseconds);
                WriteSummary(w, "latency_summary", Summary.Of(t.Latencies));
                WriteArray(w, "latency", t.Latencies);
                if (t.Cpu is { } cpu)
                {
                    // clock ticks over the rounds after the first, per attach (clients = this benchmark process)
                    w.WriteStartObject("cpu_per_attach_us");
                    w.WriteNumber("clients", Math.Round(cpu.ClientsUs));
                    w.WriteNumber("daemon", Math.Round(cpu.DaemonUs));
                    w.WriteNumber("machine", Math.Round(cpu.MachineUs));
                    w.WriteNumber("machine_idle", Math.Round(cpu.Idle, 3));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }

            if (r.ResidentAtMaxN is { } m)
            {
                w.WriteStartObject("resident_at_max_n");
                w.WriteNumber("n", options.MaxN);
                w.WriteNumber("processes", m.Processes);
                w.WriteNumber("daemon_rss_bytes", m.DaemonRssBytes);
                w.WriteNumber("total_rss_bytes", m.TotalRssBytes);
                w.WriteEndObject();
            }

            w.WriteStartObject("ports");
            if (r.PortsUnsupported is { } pu) w.WriteString("not_applicable", pu);
            w.WriteStartArray("runs");
            foreach (var p in r.Ports)
            {
                w.WriteStartObject();
                w.WriteNumber("count", p.Count);
                w.WriteNumber("with_ports", Math.Round(p.WithPortsMilliseconds, 3));
                w.WriteNumber("without_ports", Math.Round(p.BaselineMilliseconds, 3));
                w.WriteNumber("added", Math.Round(p.AddedMilliseconds, 3));
                w.WriteNumber("processes_added", p.ProcessesAdded);
                w.WriteNumber("rss_added_bytes", p.RssAddedBytes);
                w.WriteNumber("remove", Math.Round(p.RemoveMilliseconds, 3));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartArray("targets");
        foreach (var t in Targets.Check(results).Concat(Targets.CheckIssue13(results)))
        {
            w.WriteStartObject();
            w.WriteString("target", t.Target);
            w.WriteString("measured", t.Measured);
            if (t.Met is null) w.WriteNull("met");
            else w.WriteBoolean("met", t.Met.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteInts(Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static void WriteSummary(Utf8JsonWriter w, string name, Summary s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", s.Count);
        if (s.Count > 0)
        {
            w.WriteNumber("p50", Math.Round(s.P50, 4));
            w.WriteNumber("p95", Math.Round(s.P95, 4));
            w.WriteNumber("p99", Math.Round(s.P99, 4));
            w.WriteNumber("mean", Math.Round(s.Mean, 4));
            w.WriteNumber("min", Math.Round(s.Min, 4));
            w.WriteNumber("max", Math.Round(s.Max, 4));
        }
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(Math.Round(v, 4));
        w.WriteEndArray();
    }
}
