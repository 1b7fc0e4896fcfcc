using System.Diagnostics;
using Plexus.Kernel.Rtnl;

namespace Plexus.Bench.Kernel;

/// <summary>
/// What Plexus itself adds to each request, measured once before the phases: the round trip of an rtnetlink
/// request the kernel has nothing to do for (lo up when lo is up), and opening plus closing a socket. With
/// these, an attach's time splits into the kernel's work and Plexus's own.
/// </summary>
internal sealed record Calibration(double NoOpRequestMicroseconds, double SocketOpenCloseMicroseconds)
{
    public static Calibration Measure(RtNetlink host)
    {
        host.SetUp(KernelAttacher.LoopbackIndex);
        var noOp = new double[2000];
        for (int i = 0; i < noOp.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            host.SetUp(KernelAttacher.LoopbackIndex);
            noOp[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var socket = new double[500];
        for (int i = 0; i < socket.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            RtNetlink.Open().Dispose();
            socket[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return new Calibration(Summary.Median(noOp), Summary.Median(socket));
    }
}
