using System.Buffers.Binary;
using Plexus.Engine.Dns;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Dns;

/// <summary>Random, truncated and mutated packets: the handler never throws and only ever answers with a well-formed header.</summary>
public sealed class QueryHandlerFuzzTests
{
    [Fact]
    public void Any_packet_gets_silence_or_an_answer_carrying_its_id()
    {
        var handler = new QueryHandler(OneSandboxRegistry.Create(), OneSandboxRegistry.SandboxId);
        var random = new Random(42);
        var response = new byte[65535];
        byte[][] seeds = [DnsProbe.Query("box", 1), DnsProbe.Query("svc", 28, edns: true), DnsProbe.Query("www.example.com", 1), DnsProbe.Query("2.0.9.10.in-addr.arpa", 12)];
        int answered = 0;
        for (int i = 0; i < 200_000; i++)
        {
            var seed = seeds[i % seeds.Length];
            byte[] packet = (i % 4) switch
            {
                0 => Random(random, random.Next(0, 600)),
                1 => seed[..random.Next(0, seed.Length + 1)],
                2 => Mutate(random, seed),
                _ => Random(random, random.Next(QueryHandler.MaxQuery - 2, QueryHandler.MaxQuery + 3)),
            };
            var decision = handler.Handle(packet, response, overUdp: true, DnsLimits.MaxUdp, out _, out int length);
            if (decision != QueryDecision.Respond) continue;
            answered++;
            Assert.InRange(length, DnsLimits.HeaderLength, DnsLimits.MaxUdp);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(packet), BinaryPrimitives.ReadUInt16BigEndian(response));
            Assert.True((response[2] & 0x80) != 0, "an answer has QR set");
        }
        Assert.True(answered > 10_000, $"only {answered} answers");
    }

    private static byte[] Random(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        var b = (byte[])seed.Clone();
        for (int k = random.Next(1, 4); k > 0; k--) b[random.Next(b.Length)] = (byte)random.Next(256);
        return b;
    }
}
