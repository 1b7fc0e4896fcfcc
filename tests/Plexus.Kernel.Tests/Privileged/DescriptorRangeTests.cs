using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Plexus.Kernel.Firewall.Nftables;
using Plexus.Kernel.Namespaces;
using Plexus.Kernel.Sockets;
using Plexus.Testing;

namespace Plexus.Kernel.Tests.Privileged;

/// <summary>
/// plexusd died at about 250 sandboxes: libnftables waits with select(2), glibc aborts the process when select
/// is given a descriptor of 1024 or more, and each sandbox held four descriptors in the low range. What a
/// sandbox holds now lives above it, so a libnftables context (the firewall's, the kernel feature probe's) still
/// works with many.
/// </summary>
[Trait("Category", "Privileged")]
[Collection(DescriptorHungryCollection.Name)]
public sealed class DescriptorRangeTests
{
    [PrivilegedFact]
    public void What_namespaces_hold_leaves_the_select_range_free_for_libnftables()
    {
        using var net = new TestNetwork();
        var filler = new List<SafeFileHandle>();
        try
        {
            // The low range almost full, as many sandboxes' other descriptors would make it.
            while (filler.Count < 2000)
            {
                var h = File.OpenHandle("/dev/null");
                filler.Add(h);
                if (h.DangerousGetHandle() >= DescriptorRange.SelectLimit - 8) break;
            }
            Assert.InRange((int)filler[^1].DangerousGetHandle(), DescriptorRange.SelectLimit - 8, DescriptorRange.SelectLimit - 1);

            // Twenty namespaces with their rtnetlink sockets and a listening socket each: held above the range.
            var sockets = new List<Socket>();
            NetworkNamespace last = null!;
            for (int i = 0; i < 20; i++)
            {
                var (ns, _) = net.Add($"fd{i}");
                last = ns;
                sockets.Add(ns.Run(() => DescriptorRange.Raise(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))));
            }
            using (var probe = File.OpenHandle("/dev/null"))
                Assert.True(probe.DangerousGetHandle() < DescriptorRange.SelectLimit, "the namespaces' descriptors took the low range");

            // A raised socket is a whole socket: it binds, listens and accepts in its namespace.
            var listener = sockets[^1];
            Assert.True(listener.Handle >= DescriptorRange.SelectLimit);
            last.Run(() =>
            {
                listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                listener.Listen(1);
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(listener.LocalEndPoint!);
                using var accepted = listener.Accept();
                Assert.True(accepted.Connected);
            });

            // libnftables in the last namespace: it would have ended this process before.
            using (var nft = NftContext.Open(last))
                nft.Run("add table ip plexus-fd-probe\nadd chain ip plexus-fd-probe probe", "the descriptor probe");
            var (code, output) = Processes.Run("nsenter", [$"--net={net.PathOf("fd19")}", "nft", "list", "table", "ip", "plexus-fd-probe"]);
            Assert.Equal(0, code);
            Assert.Contains("chain probe", output, StringComparison.Ordinal);
            foreach (var s in sockets) s.Dispose();
        }
        finally
        {
            foreach (var h in filler) h.Dispose();
        }
    }
}
