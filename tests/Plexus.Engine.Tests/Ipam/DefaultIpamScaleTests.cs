using System.Collections.Concurrent;
using System.Net;
using Plexus.Engine.Ipam;
using Plexus.Engine.Model;
using static Plexus.Engine.Tests.Ipam.IpamTestKit;

namespace Plexus.Engine.Tests.Ipam;

/// <summary>Many addresses, many threads: correctness, and cost counted in bitmap reads rather than time.</summary>
public class DefaultIpamScaleTests
{
    private readonly IpamService _ipam = IpamService.Create();

    [Fact]
    public void Sixty_thousand_allocations_in_a_16_are_unique_inside_and_never_reserved_at_constant_cost()
    {
        _ipam.Add("big", Subnet("10.99.0.0/16", aux: ("nas", "10.99.100.7")));
        var id = IdOf("big");
        var subnet = Net("10.99.0.0/16");
        var reserved = new HashSet<IPAddress> { Ip("10.99.0.0"), Ip("10.99.0.1"), Ip("10.99.255.255"), Ip("10.99.100.7") };
        var seen = new HashSet<IPAddress>();
        long firstCost = 0, worstCost = 0;

        for (int i = 0; i < 60_000; i++)
        {
            long before = _ipam.ProbeCount(id);
            var prefix = _ipam.Allocate(id, 4);
            long cost = _ipam.ProbeCount(id) - before;
            if (i == 0) firstCost = cost;
            worstCost = Math.Max(worstCost, cost);

            Assert.Equal(16, prefix.PrefixLength);
            Assert.True(subnet.Contains(prefix.Address), $"{prefix} is outside {subnet}");
            Assert.DoesNotContain(prefix.Address, reserved);
            Assert.True(seen.Add(prefix.Address), $"{prefix.Address} was handed out twice");
        }

        // A /16 has 3 bitmap levels: at most 2 reads per level to find, 1 per level to mark.
        Assert.InRange(worstCost, firstCost, 9);
        // First-free means the lowest addresses: .0.2 up, skipping the aux address.
        Assert.Contains(Ip("10.99.234.98"), seen);
        Assert.DoesNotContain(Ip("10.99.234.99"), seen);
    }

    [Fact]
    public void IPv6_64_allocations_stay_cheap_and_sparse_in_cost()
    {
        _ipam.AddV6("v6", Subnet("fd00:77::/64"));
        var id = IdOf("v6");
        var seen = new HashSet<IPAddress>();
        long worstCost = 0;
        for (int i = 0; i < 20_000; i++)
        {
            long before = _ipam.ProbeCount(id);
            var prefix = _ipam.Allocate(id, 6);
            worstCost = Math.Max(worstCost, _ipam.ProbeCount(id) - before);
            Assert.True(seen.Add(prefix.Address));
        }
        // A /64 has 11 levels.
        Assert.InRange(worstCost, 1, 33);
        Assert.Contains(Ip("fd00:77::4e21"), seen);
    }

    [Fact]
    public void Releasing_low_addresses_in_a_full_region_keeps_allocation_cost_constant()
    {
        _ipam.Add("big", Subnet("10.98.0.0/16"));
        var id = IdOf("big");
        for (int i = 0; i < 50_000; i++) _ipam.Allocate(id, 4);

        for (int i = 0; i < 500; i++)
        {
            var low = IPMath.ToAddress(IPMath.ToUInt128(Ip("10.98.0.2")) + (UInt128)(i * 97), System.Net.Sockets.AddressFamily.InterNetwork);
            _ipam.Release(id, low);
            long before = _ipam.ProbeCount(id);
            Assert.Equal(low, _ipam.Allocate(id, 4).Address);
            Assert.InRange(_ipam.ProbeCount(id) - before, 1, 9);
        }
    }

    [Fact]
    public void Parallel_allocations_yield_unique_addresses()
    {
        // Enough threads and allocations, started together, that an unguarded find-then-set would race.
        const int Threads = 8, PerThread = 20_000;
        _ipam.Add("web", Subnet("10.96.0.0/14"));
        var id = IdOf("web");
        var results = new IPAddress[Threads][];
        var errors = new ConcurrentBag<Exception>();
        using var start = new Barrier(Threads);

        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var mine = new IPAddress[PerThread];
            start.SignalAndWait();
            try
            {
                for (int i = 0; i < PerThread; i++)
                    mine[i] = _ipam.Allocate(id, 4).Address;
            }
            catch (Exception e)
            {
                // An exception escaping a thread would end the test run instead of failing this test.
                errors.Add(e);
            }
            results[t] = mine;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(errors);

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(Threads * PerThread, all.Count);
        Assert.Equal(Threads * PerThread, all.Distinct().Count());
        // First-free under contention still packs the lowest host addresses, with no gaps.
        var expected = Enumerable.Range(2, Threads * PerThread)
            .Select(i => IPMath.ToAddress(IPMath.ToUInt128(Ip("10.96.0.0")) + (UInt128)i, System.Net.Sockets.AddressFamily.InterNetwork));
        Assert.True(all.ToHashSet().SetEquals(expected));
    }

    [Fact]
    public void Parallel_allocate_and_release_never_hand_out_an_address_twice()
    {
        _ipam.AddSerial("web", Subnet("10.95.0.0/24"));
        var id = IdOf("web");
        var holders = new ConcurrentDictionary<IPAddress, int>();
        int duplicates = 0;

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var mine = new List<IPAddress>();
            for (int round = 0; round < 2000; round++)
            {
                if (mine.Count < 40)
                {
                    var address = _ipam.Allocate(id, 4).Address;
                    if (!holders.TryAdd(address, worker)) Interlocked.Increment(ref duplicates);
                    mine.Add(address);
                }
                else
                {
                    var address = mine[round % mine.Count];
                    mine.Remove(address);
                    holders.TryRemove(address, out _);
                    _ipam.Release(id, address);
                }
            }
        });

        Assert.Equal(0, duplicates);
        Assert.All(holders.Keys, a => Assert.True(_ipam.IsAllocated(id, a)));
    }

    [Fact]
    public void Parallel_network_creation_hands_out_each_default_subnet_once()
    {
        var subnets = new ConcurrentBag<IPNetwork>();
        var failures = new ConcurrentBag<PlexusException>();

        // The defaults hold 15 /16s and 16 /20s: 31 networks. Two more than that must fail.
        Parallel.For(0, 33, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            try
            {
                subnets.Add(Assert.Single(_ipam.Add($"n{i}")).Subnet);
            }
            catch (PlexusException e)
            {
                failures.Add(e);
            }
        });

        Assert.Equal(31, subnets.Distinct().Count());
        Assert.Equal(31, subnets.Count);
        Assert.Equal(2, failures.Count);
        Assert.All(failures, e => Assert.Equal(ErrorKind.Conflict, e.Kind));
    }
}
