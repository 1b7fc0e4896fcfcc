using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Plexus.Kernel.Namespaces;

namespace Plexus.Bench.Dns;

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(int Workers, double Seconds, long Answered, long Lost, double[] LatenciesMs)
{
    public double Qps => Answered / Seconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0) return double.NaN;
        int i = (int)Math.Ceiling(p / 100.0 * LatenciesMs.Length) - 1;
        return LatenciesMs[Math.Clamp(i, 0, LatenciesMs.Length - 1)];
    }
}

/// <summary>
/// A closed-loop DNS load from inside a namespace, as dnsperf does it: each worker is a thread with its own
/// connected UDP socket (made inside the namespace), one question outstanding at a time, a fresh id per
/// question; an answer must carry that id and NOERROR with at least one record. A question unanswered in a
/// second counts as lost.
/// </summary>
internal static class LoadGenerator
{
    public static LoadResult Run(NetworkNamespace client, IPEndPoint server, string name, int workers, TimeSpan duration, TimeSpan warmUp)
    {
        var query = Query(name);
        var perWorker = new List<double>[workers];
        long answered = 0, lost = 0;
        var start = new Barrier(workers + 1);
        var threads = new Thread[workers];
        long deadline = 0, measureFrom = 0;
        for (int w = 0; w < workers; w++)
        {
            int me = w;
            perWorker[me] = new List<double>(100_000);
            threads[w] = new Thread(() =>
            {
                using var socket = client.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
                socket.Connect(server);
                socket.ReceiveTimeout = 1000;
                var packet = (byte[])query.Clone();
                var buffer = new byte[4096];
                ushort id = (ushort)(me * 7919);
                start.SignalAndWait();
                while (true)
                {
                    long now = Stopwatch.GetTimestamp();
                    if (now >= Volatile.Read(ref deadline)) break;
                    BinaryPrimitives.WriteUInt16BigEndian(packet, ++id);
                    long sent = Stopwatch.GetTimestamp();
                    socket.Send(packet);
                    bool ok = false;
                    try
                    {
                        while (true)
                        {
                            int n = socket.Receive(buffer);
                            if (n < 12 || BinaryPrimitives.ReadUInt16BigEndian(buffer) != id) continue; // a late answer
                            ok = (buffer[3] & 0xF) == 0 && BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(6)) > 0;
                            break;
                        }
                    }
                    catch (SocketException)
                    {
                    }
                    long done = Stopwatch.GetTimestamp();
                    if (sent < Volatile.Read(ref measureFrom)) continue;
                    if (ok)
                    {
                        perWorker[me].Add(Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds);
                        Interlocked.Increment(ref answered);
                    }
                    else Interlocked.Increment(ref lost);
                }
            }) { IsBackground = true, Name = $"dns-load-{w}" };
            threads[w].Start();
        }
        long t0 = Stopwatch.GetTimestamp();
        Volatile.Write(ref measureFrom, t0 + (long)(warmUp.TotalSeconds * Stopwatch.Frequency));
        Volatile.Write(ref deadline, t0 + (long)((warmUp + duration).TotalSeconds * Stopwatch.Frequency));
        start.SignalAndWait();
        foreach (var t in threads) t.Join();
        var all = perWorker.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(workers, duration.TotalSeconds, answered, lost, all);
    }

    /// <summary>An A question with recursion desired, id set per send.</summary>
    public static byte[] Query(string name)
    {
        var b = new List<byte> { 0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            b.Add((byte)label.Length);
            b.AddRange(Encoding.ASCII.GetBytes(label));
        }
        b.AddRange([0, 0, 1, 0, 1]);
        return [.. b];
    }
}
