using System.Globalization;

namespace Plexus.Bench.Compare;

/// <summary>Command line: see <see cref="Usage"/>.</summary>
internal sealed record CompareOptions
{
    public const string Usage = """
        usage: plexus-bench-compare [--quick] [--systems S,S...] [--sizes N,N...] [--pairs M] [--rounds R] [--clients C] [--json FILE] [--svg FILE] [--markdown FILE]

        Plexus against CNI, netavark, Docker and the floor, in one run, in a private namespace only
        (run it through bench/compare.sh).

          --quick          N = 10 and 100, 10 attach/detach pairs, 40 attaches for throughput (one round, not eleven), 100 ports
          --systems S,S    which systems, in this order (default: all)
                           floor, floor-plain, plexus-api, plexus-baseline, plexus-cli, cni, netavark, docker-plexus, docker
                           (docker-plexus: dockerd with plexusd as its network and IPAM plugin)
                           (plexus-baseline: plexusd built from another commit, bench/compare.sh --baseline REV)
          --sizes N,N      sandboxes already attached when the pairs are timed (default 10,100,1000)
          --pairs M        attach/detach pairs timed at each N (default 50)
          --rounds R       rounds of the concurrent attaches; the rate is the median round's (default 11)
          --clients C      concurrent clients of those attaches (default 8)
          --json FILE      raw figures (default artifacts/bench/compare/results.json)
          --svg FILE       plot of attach latency against N (default artifacts/bench/compare/attach-latency.svg)
          --markdown FILE  the report (default artifacts/bench/compare/report.md; it also goes to stdout)
        """;

    /// <summary>The order they run in: the floor first, Docker last (it leaves its firewall chains behind).</summary>
    public static readonly string[] KnownSystems = ["floor", "floor-plain", "plexus-api", "plexus-baseline", "plexus-cli", "cni", "plexus-cni", "netavark", "docker-plexus", "docker"];

    /// <summary>A Linux bridge has at most 1023 ports; N pre-attached plus the one being timed must fit.</summary>
    public const int MaxSize = 1000;

    public IReadOnlyList<string> Systems { get; init; } = KnownSystems;
    public IReadOnlyList<int> Sizes { get; init; } = [10, 100, 1000];
    public int Pairs { get; init; } = 50;
    public int ThroughputAttaches { get; init; } = 200;
    public int ThroughputClients { get; init; } = 8;
    /// <summary>
    /// Rounds of the concurrent attaches; the rate is the median round's. A round of 200 is about a tenth of a second: on
    /// a shared 2-CPU machine the floor's rate over Plexus's, one build, ranged 1.33-1.67 across runs with 5 rounds and
    /// 1.33-1.43 with 11.
    /// </summary>
    public int ThroughputRounds { get; init; } = 11;
    public IReadOnlyList<int> PortCounts { get; init; } = [100, 1000];
    public int NetworkCycles { get; init; } = 10;
    public bool Quick { get; init; }
    public string JsonPath { get; init; } = "";
    public string SvgPath { get; init; } = "";
    public string MarkdownPath { get; init; } = "";

    public int MaxN => Sizes.Max();

    /// <summary>Sandboxes each system creates once: the N pre-attached, then the ones timed in pairs.</summary>
    public int PoolSize => Math.Max(MaxN + Pairs, ThroughputAttaches);

    public static CompareOptions? Parse(string[] args, string defaultDirectory, out string? error)
    {
        error = null;
        var o = new CompareOptions
        {
            JsonPath = Path.Combine(defaultDirectory, "results.json"),
            SvgPath = Path.Combine(defaultDirectory, "attach-latency.svg"),
            MarkdownPath = Path.Combine(defaultDirectory, "report.md"),
        };
        for (int i = 0; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--quick":
                    o = o with { Quick = true, Sizes = [10, 100], Pairs = 10, ThroughputAttaches = 40, ThroughputRounds = 1, PortCounts = [100], NetworkCycles = 3 };
                    break;
                case "--systems":
                    var systems = (Value() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (systems.Length == 0 || systems.FirstOrDefault(s => !KnownSystems.Contains(s)) is not null)
                    {
                        error = $"--systems: choose from {string.Join(", ", KnownSystems)}";
                        return null;
                    }
                    o = o with { Systems = KnownSystems.Where(systems.Contains).ToArray() };
                    break;
                case "--sizes":
                    var sizes = new List<int>();
                    foreach (var part in (Value() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > MaxSize)
                        {
                            error = $"--sizes: '{part}' is not a number from 1 to {MaxSize}";
                            return null;
                        }
                        sizes.Add(n);
                    }
                    if (sizes.Count == 0)
                    {
                        error = "--sizes needs a list such as 10,100,1000";
                        return null;
                    }
                    o = o with { Sizes = sizes.Distinct().Order().ToArray() };
                    break;
                case "--pairs" or "--rounds" or "--clients":
                    var option = args[i];
                    var (low, high) = option switch { "--pairs" => (1, 500), "--rounds" => (1, 100), _ => (1, 64) };
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number < low || number > high)
                    {
                        error = $"{option} needs a number from {low} to {high}";
                        return null;
                    }
                    o = option switch
                    {
                        "--pairs" => o with { Pairs = number },
                        "--rounds" => o with { ThroughputRounds = number },
                        _ => o with { ThroughputClients = number },
                    };
                    break;
                case "--json" or "--svg" or "--markdown":
                    var flag = args[i];
                    var path = Value();
                    if (string.IsNullOrEmpty(path))
                    {
                        error = $"{flag} needs a file name";
                        return null;
                    }
                    o = flag switch
                    {
                        "--json" => o with { JsonPath = path },
                        "--svg" => o with { SvgPath = path },
                        _ => o with { MarkdownPath = path },
                    };
                    break;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }
        return o;
    }
}
