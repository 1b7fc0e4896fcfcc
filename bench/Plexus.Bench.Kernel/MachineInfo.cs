using System.Diagnostics;

namespace Plexus.Bench.Kernel;

/// <summary>What the figures were measured on, printed above them.</summary>
internal sealed record MachineInfo(string Kernel, int Cpus, string CpuModel, string Runtime, string IpVersion)
{
    public static MachineInfo Read(string? ipPath) => new(
        ReadFirstLine("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
        Environment.ProcessorCount,
        ReadCpuModel(),
        $".NET {Environment.Version}",
        ipPath is null ? "none" : ReadIpVersion(ipPath));

    public override string ToString() => $"Linux {Kernel}, {Cpus} CPUs ({CpuModel}), {Runtime}, {IpVersion}";

    private static string? ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static string ReadIpVersion(string ipPath)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(ipPath, ["-V"]) { RedirectStandardOutput = true, UseShellExecute = false });
            if (p is null) return "ip (version unknown)";
            var text = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return text.Replace("ip utility, ", "", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "ip (version unknown)";
        }
    }
}
