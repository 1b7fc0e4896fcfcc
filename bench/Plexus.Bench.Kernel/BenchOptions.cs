using System.Globalization;

namespace Plexus.Bench.Kernel;

/// <summary>Command line: see <see cref="Usage"/>.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: plexus-bench-kernel [--quick] [--sizes N,N...] [--methods M,M...] [--warmup N] [--gap MS] [--sandbox-ipv6] [--json FILE]

        Times attaching N sandboxes to one bridge through Plexus.Kernel (in process) and through `ip`
        commands, in a private network namespace only (run it through bench/kernel-attach.sh).

          --quick         N = 10 and 100 (CI smoke run); default N = 100 and 1000
          --sizes N,N...  choose the sizes (each at most 1023, a bridge's port limit)
          --methods M,M   which attaches to time, in this order (default plexus,ip):
                          plexus         in process, the namespace's socket opened while the veth is made
                          plexus-serial  in process, the socket opened after the veth (as SelfCheck)
                          plexus-split   as plexus, bridge port and up as a separate request (diagnostic)
                          ip             one ip process per step
          --warmup N      untimed attaches per method before the first size (default 20)
          --gap MS        pause MS milliseconds before each attach and detach: times attaches that find
                          the machine idle (the kernel's deferred work done, but caches cold and CPUs
                          halted) rather than back to back (default 0)
          --sandbox-ipv6  leave IPv6 on in the sandboxes (the kernel's default); by default they are
                          IPv4-only, so their IPv6 chatter, flooded to every bridge port, is not timed
          --json FILE     also write the raw figures (every attach and detach, in microseconds) to FILE
        """;

    public static readonly string[] KnownMethods = ["plexus", "plexus-serial", "plexus-split", "ip"];

    public IReadOnlyList<int> Sizes { get; init; } = [100, 1000];
    public IReadOnlyList<string> Methods { get; init; } = ["plexus", "ip"];
    public int Warmup { get; init; } = 20;

    /// <summary>Pause between attaches and between detaches, in milliseconds.</summary>
    public int GapMilliseconds { get; init; }
    public string? JsonPath { get; init; }
    public bool Quick { get; init; }
    public bool SandboxIpv6 { get; init; }

    /// <summary>Parses the arguments; returns null and sets <paramref name="error"/> when they are wrong.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var options = new BenchOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--quick":
                    options = options with { Quick = true, Sizes = [10, 100] };
                    break;
                case "--sizes":
                    var list = Value();
                    var sizes = new List<int>();
                    foreach (var part in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > Addressing.MaxBridgePorts)
                        {
                            error = $"--sizes: '{part}' is not a number from 1 to {Addressing.MaxBridgePorts}";
                            return null;
                        }
                        sizes.Add(n);
                    }
                    if (sizes.Count == 0)
                    {
                        error = "--sizes needs a list such as 100,1000";
                        return null;
                    }
                    options = options with { Sizes = sizes };
                    break;
                case "--methods":
                    var methods = (Value() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (methods.Length == 0 || methods.FirstOrDefault(m => !KnownMethods.Contains(m)) is { } unknown)
                    {
                        error = $"--methods: choose from {string.Join(", ", KnownMethods)}";
                        return null;
                    }
                    options = options with { Methods = methods.Distinct().ToArray() };
                    break;
                case "--gap":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int gap) || gap > 1000)
                    {
                        error = "--gap needs a number of milliseconds from 0 to 1000";
                        return null;
                    }
                    options = options with { GapMilliseconds = gap };
                    break;
                case "--sandbox-ipv6":
                    options = options with { SandboxIpv6 = true };
                    break;
                case "--warmup":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int warmup) || warmup > Addressing.MaxBridgePorts)
                    {
                        error = $"--warmup needs a number from 0 to {Addressing.MaxBridgePorts}";
                        return null;
                    }
                    options = options with { Warmup = warmup };
                    break;
                case "--json":
                    var path = Value();
                    if (string.IsNullOrEmpty(path))
                    {
                        error = "--json needs a file name";
                        return null;
                    }
                    options = options with { JsonPath = path };
                    break;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return null;
            }
        }
        return options;
    }
}
