using Plexus.Engine.Ipam;

namespace Plexus.Engine.Tests.Ipam;

public class AddressBitmapTests
{
    [Fact]
    public void Set_Clear_and_IsSet_report_changes()
    {
        var bitmap = new AddressBitmap(8);

        Assert.True(bitmap.Set(5));
        Assert.False(bitmap.Set(5));
        Assert.True(bitmap.IsSet(5));
        Assert.False(bitmap.IsSet(4));
        Assert.Equal(UInt128.One, bitmap.Count);

        Assert.True(bitmap.Clear(5));
        Assert.False(bitmap.Clear(5));
        Assert.False(bitmap.IsSet(5));
        Assert.Equal(UInt128.Zero, bitmap.Count);
    }

    [Fact]
    public void TryFindClear_returns_lowest_clear_position_within_bounds()
    {
        var bitmap = new AddressBitmap(8);
        for (int i = 0; i < 10; i++) bitmap.Set((UInt128)i);

        Assert.True(bitmap.TryFindClear(0, 255, out var first));
        Assert.Equal((UInt128)10, first);
        Assert.True(bitmap.TryFindClear(20, 255, out var later));
        Assert.Equal((UInt128)20, later);
        Assert.False(bitmap.TryFindClear(0, 9, out _));
        Assert.False(bitmap.TryFindClear(5, 4, out _));
    }

    [Fact]
    public void Full_small_space_has_no_clear_position_even_though_its_word_has_spare_bits()
    {
        var bitmap = new AddressBitmap(3);
        for (int i = 0; i < 8; i++) Assert.True(bitmap.Set((UInt128)i));

        Assert.False(bitmap.TryFindClear(0, bitmap.Last, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => bitmap.Set(8));
    }

    [Fact]
    public void Single_position_space_works()
    {
        var bitmap = new AddressBitmap(0);
        Assert.True(bitmap.TryFindClear(0, 0, out var p));
        Assert.Equal(UInt128.Zero, p);
        bitmap.Set(0);
        Assert.False(bitmap.TryFindClear(0, 0, out _));
    }

    [Fact]
    public void Finds_first_clear_after_many_full_words_and_after_a_hole_is_made()
    {
        var bitmap = new AddressBitmap(12);
        for (int i = 0; i < 4096; i++) bitmap.Set((UInt128)i);
        Assert.False(bitmap.TryFindClear(0, bitmap.Last, out _));

        bitmap.Clear(3000);
        Assert.True(bitmap.TryFindClear(0, bitmap.Last, out var hole));
        Assert.Equal((UInt128)3000, hole);

        bitmap.Clear(70);
        Assert.True(bitmap.TryFindClear(0, bitmap.Last, out hole));
        Assert.Equal((UInt128)70, hole);
        Assert.True(bitmap.TryFindClear(71, bitmap.Last, out hole));
        Assert.Equal((UInt128)3000, hole);
    }

    [Fact]
    public void Matches_a_reference_set_under_random_operations()
    {
        var random = new Random(20240611);
        const int Size = 1 << 10;
        var bitmap = new AddressBitmap(10);
        var reference = new bool[Size];

        for (int step = 0; step < 20_000; step++)
        {
            int position = random.Next(Size);
            switch (random.Next(3))
            {
                case 0:
                    Assert.Equal(!reference[position], bitmap.Set((UInt128)position));
                    reference[position] = true;
                    break;
                case 1:
                    Assert.Equal(reference[position], bitmap.Clear((UInt128)position));
                    reference[position] = false;
                    break;
                default:
                    int to = random.Next(position, Size);
                    int expected = Array.FindIndex(reference, position, to - position + 1, set => !set);
                    bool found = bitmap.TryFindClear((UInt128)position, (UInt128)to, out var actual);
                    Assert.Equal(expected >= 0, found);
                    if (found) Assert.Equal((UInt128)expected, actual);
                    break;
            }
            // Bias towards filling up, so long runs of full words (the summary levels) get exercised.
            if (step % 3 == 0 && bitmap.TryFindClear(0, bitmap.Last, out var free))
            {
                bitmap.Set(free);
                reference[(int)free] = true;
            }
        }
        Assert.Equal((UInt128)reference.Count(set => set), bitmap.Count);
    }

    [Fact]
    public void Cost_of_first_free_allocation_does_not_grow_with_positions_in_use()
    {
        var bitmap = new AddressBitmap(16);
        // Two words per level to search plus one per level to mark fullness upwards.
        long bound = 3 * bitmap.Levels;
        long worst = 0;
        for (int i = 0; i < 60_000; i++)
        {
            long before = bitmap.Probes;
            Assert.True(bitmap.TryFindClear(0, bitmap.Last, out var position));
            Assert.Equal((UInt128)i, position);
            bitmap.Set(position);
            worst = Math.Max(worst, bitmap.Probes - before);
        }
        Assert.InRange(worst, 1, bound);

        // Freeing a low address and taking it again must not rescan the full words above it.
        for (int i = 0; i < 1000; i++)
        {
            long before = bitmap.Probes;
            bitmap.Clear((UInt128)(i * 37));
            Assert.True(bitmap.TryFindClear(0, bitmap.Last, out var position));
            Assert.Equal((UInt128)(i * 37), position);
            bitmap.Set(position);
            Assert.InRange(bitmap.Probes - before, 1, bound + bitmap.Levels);
        }
    }

    [Fact]
    public void A_64_bit_space_stays_sparse_and_searches_in_bounded_steps()
    {
        var bitmap = new AddressBitmap(64);
        Assert.Equal(11, bitmap.Levels);
        for (int i = 0; i < 10_000; i++)
        {
            long before = bitmap.Probes;
            Assert.True(bitmap.TryFindClear(0, bitmap.Last, out var position));
            Assert.Equal((UInt128)i, position);
            bitmap.Set(position);
            Assert.InRange(bitmap.Probes - before, 1, 3 * bitmap.Levels);
        }
        // 10,000 positions are 157 words at level 0, 3 at level 1, and nothing above.
        Assert.InRange(bitmap.StoredWords, 157, 170);

        UInt128 last = bitmap.Last;
        Assert.Equal(ulong.MaxValue, (ulong)last);
        Assert.True(bitmap.Set(last));
        Assert.False(bitmap.TryFindClear(last, last, out _));
        Assert.True(bitmap.TryFindClear(last - 5, last, out var nearEnd));
        Assert.Equal(last - 5, nearEnd);
    }

    [Fact]
    public void Search_skips_a_fully_used_upper_half_of_a_large_space()
    {
        var bitmap = new AddressBitmap(20);
        for (int i = 0; i < 1 << 20; i++) bitmap.Set((UInt128)i);
        bitmap.Clear(12345);
        long before = bitmap.Probes;
        Assert.True(bitmap.TryFindClear(0, bitmap.Last, out var found));
        Assert.Equal((UInt128)12345, found);
        Assert.InRange(bitmap.Probes - before, 1, 2 * bitmap.Levels);
        Assert.False(bitmap.TryFindClear(12346, bitmap.Last, out _));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(128)]
    public void Rejects_spaces_it_cannot_address(int bits) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new AddressBitmap(bits));
}
