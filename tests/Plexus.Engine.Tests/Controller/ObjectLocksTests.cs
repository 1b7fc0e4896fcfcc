using Plexus.Engine.Controller;

namespace Plexus.Engine.Tests.Controller;

public sealed class ObjectLocksTests
{
    [Fact]
    public async Task One_object_is_serialised_and_different_objects_run_together()
    {
        var locks = new ObjectLocks();
        int inside = 0, maxInside = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                using var held = locks.Acquire("net-a");
                int now = Interlocked.Increment(ref inside);
                maxInside = Math.Max(maxInside, now);
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(1, maxInside);

        using var a = locks.Acquire("net-a");
        var other = Task.Run(() =>
        {
            using var b = locks.Acquire("net-b");
            return true;
        });
        Assert.True(await other.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Locks_taken_in_opposite_orders_do_not_deadlock()
    {
        var locks = new ObjectLocks();
        var t1 = Task.Run(() =>
        {
            for (int i = 0; i < 500; i++) using (locks.Acquire("x", "y")) { }
        });
        var t2 = Task.Run(() =>
        {
            for (int i = 0; i < 500; i++) using (locks.Acquire("y", "x")) { }
        });
        await Task.WhenAll(t1, t2).WaitAsync(TimeSpan.FromSeconds(20));
    }
}
