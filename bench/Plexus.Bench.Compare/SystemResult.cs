namespace Plexus.Bench.Compare;

/// <summary>Everything measured for one system; times in milliseconds.</summary>
internal sealed class SystemResult(string name)
{
    public string Name { get; } = name;
    public string Description { get; set; } = "";

    /// <summary>Why the system was not measured at all (it could not start here), or null.</summary>
    public string? NotMeasured { get; set; }

    public double StartSeconds { get; set; } = double.NaN;

    /// <summary>Scenarios that failed part-way: scenario, then the system's own words.</summary>
    public List<(string Scenario, string Message)> Errors { get; } = [];

    public string? NetworkUnsupported { get; set; }
    public List<double> NetworkCreate { get; } = [];
    public List<double> NetworkDelete { get; } = [];

    public List<AttachPhase> Phases { get; } = [];

    public Throughput? Throughput { get; set; }

    /// <summary>Resident memory and processes with the largest N attached.</summary>
    public Resident? ResidentAtMaxN { get; set; }

    public string? PortsUnsupported { get; set; }
    public List<PortsResult> Ports { get; } = [];

    public bool Failed(string scenario) => Errors.Exists(e => e.Scenario == scenario);
}

/// <summary>M attach/detach pairs timed with N sandboxes already attached to the network.</summary>
internal sealed class AttachPhase(int n)
{
    public int N { get; } = n;
    public double PrepareSeconds { get; set; }
    public double BusyBefore { get; set; } = double.NaN;
    public List<double> Attach { get; } = [];
    public List<double> Detach { get; } = [];
    public Summary AttachSummary => Summary.Of(Attach);
    public Summary DetachSummary => Summary.Of(Detach);
}

/// <summary><see cref="Count"/> attaches issued by <see cref="Clients"/> concurrent clients, each to its own sandbox.</summary>
internal sealed class Throughput(int count, int clients)
{
    public int Count { get; } = count;
    public int Clients { get; } = clients;
    /// <summary>Each round's wall time, in the order run.</summary>
    public List<double> RoundMilliseconds { get; } = [];
    /// <summary>The median round's wall time.</summary>
    public double WallMilliseconds => Summary.Median(RoundMilliseconds);
    /// <summary>Every attach's latency, of every round.</summary>
    public List<double> Latencies { get; } = [];
    public double PerSecond => Count / (WallMilliseconds / 1000);
    public IEnumerable<double> RoundRates => RoundMilliseconds.Select(ms => Count / (ms / 1000));
    /// <summary>Where the CPU went in the rounds after the first (<see cref="CpuMeter"/>), or null.</summary>
    public CpuPerOperation? Cpu { get; set; }
}

/// <summary>A system's resident processes: the daemon's own memory, and all of them together.</summary>
internal sealed record Resident(int Processes, long DaemonRssBytes, long TotalRssBytes);

/// <summary>
/// One sandbox with <see cref="Count"/> ports published, against the same sandbox made without ports: times
/// in milliseconds, processes and resident memory the ports added to the system's resident processes.
/// </summary>
internal sealed record PortsResult(int Count, double BaselineMilliseconds, double WithPortsMilliseconds,
    int ProcessesAdded, long RssAddedBytes, double RemoveMilliseconds)
{
    public double AddedMilliseconds => WithPortsMilliseconds - BaselineMilliseconds;
}
