using System.Numerics;

namespace Plexus.Engine.Ipam;

/// <summary>
/// A set of positions 0 .. 2^bits - 1 (host numbers of a subnet) that finds the first clear position at
/// or after any point in a number of steps that depends only on the size of the space, never on how many
/// positions are set.
/// </summary>
/// <remarks>
/// Level 0 holds the positions as 64-bit words. Each higher level holds one bit per word of the level
/// below, set when that word is full, so a run of full words is skipped by looking one level up: finding
/// a clear position reads at most two words per level, and a /64 has 11 levels. Every level is sparse
/// (a dictionary of the words that have any bit set), so an IPv6 /64 costs memory only for the addresses
/// in use, not 2^64 bits.
/// </remarks>
internal sealed class AddressBitmap
{
    private const int WordShift = 6;
    private const int WordMask = 63;

    private readonly Dictionary<UInt128, ulong>[] _levels;

    public AddressBitmap(int bits)
    {
        // 2^128 positions would not fit the UInt128 arithmetic of the search; no subnet needs them.
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 127);
        Bits = bits;
        Last = IPMath.HostMask(bits);
        _levels = new Dictionary<UInt128, ulong>[Math.Max(1, (bits + WordShift - 1) / WordShift)];
        for (int i = 0; i < _levels.Length; i++)
            _levels[i] = [];
    }

    /// <summary>The space holds 2^Bits positions.</summary>
    public int Bits { get; }

    /// <summary>The highest position.</summary>
    public UInt128 Last { get; }

    /// <summary>How many positions are set.</summary>
    public UInt128 Count { get; private set; }

    /// <summary>Number of levels of summary (1 for a space of up to 64 positions).</summary>
    public int Levels => _levels.Length;

    /// <summary>Words read so far: lets tests pin the cost of an operation without timing it.</summary>
    internal long Probes { get; private set; }

    /// <summary>Words held in memory, over all levels: lets tests check that the bitmap stays sparse.</summary>
    internal int StoredWords => _levels.Sum(level => level.Count);

    public bool IsSet(UInt128 position)
    {
        CheckRange(position);
        return (Word(0, position >> WordShift) & BitOf(position)) != 0;
    }

    /// <summary>Sets a position; false when it was already set.</summary>
    public bool Set(UInt128 position)
    {
        CheckRange(position);
        UInt128 word = position >> WordShift;
        ulong old = Word(0, word);
        ulong bit = BitOf(position);
        if ((old & bit) != 0) return false;
        ulong now = old | bit;
        Store(0, word, now);
        Count++;
        // A word that became full is marked in the level above, which may fill up in turn.
        for (int level = 1; now == ulong.MaxValue && level < _levels.Length; level++)
        {
            UInt128 index = word;
            word = index >> WordShift;
            now = Word(level, word) | BitOf(index);
            Store(level, word, now);
        }
        return true;
    }

    /// <summary>Clears a position; false when it was not set.</summary>
    public bool Clear(UInt128 position)
    {
        CheckRange(position);
        UInt128 word = position >> WordShift;
        ulong old = Word(0, word);
        ulong bit = BitOf(position);
        if ((old & bit) == 0) return false;
        Store(0, word, old & ~bit);
        Count--;
        // Only a word that was full is marked above; unmark it, and its parent if that was full too.
        for (int level = 1; old == ulong.MaxValue && level < _levels.Length; level++)
        {
            UInt128 index = word;
            word = index >> WordShift;
            old = Word(level, word);
            Store(level, word, old & ~BitOf(index));
        }
        return true;
    }

    /// <summary>The lowest clear position in [<paramref name="from"/>, <paramref name="to"/>], if any.</summary>
    public bool TryFindClear(UInt128 from, UInt128 to, out UInt128 position)
    {
        position = default;
        if (from > to || from > Last) return false;
        // Positions past Last are never set, so a hit past Last (or past to) means none in range.
        return TryNextClear(0, from, out position) && position <= to && position <= Last;
    }

    /// <summary>The lowest index at <paramref name="level"/>, from <paramref name="start"/> on, whose bit is clear.</summary>
    private bool TryNextClear(int level, UInt128 start, out UInt128 index)
    {
        index = default;
        UInt128 word = start >> WordShift;
        bool top = level == _levels.Length - 1;
        if (top && word != UInt128.Zero) return false;
        ulong bits = Word(level, word) | LowBits((int)(uint)(start & WordMask));
        if (bits != ulong.MaxValue)
        {
            index = (word << WordShift) + (uint)BitOperations.TrailingZeroCount(~bits);
            return true;
        }
        if (top) return false;
        // The rest of this word is full: the level above knows the next word that is not.
        if (!TryNextClear(level + 1, word + UInt128.One, out UInt128 next)) return false;
        bits = Word(level, next);
        index = (next << WordShift) + (uint)BitOperations.TrailingZeroCount(~bits);
        return true;
    }

    private ulong Word(int level, UInt128 word)
    {
        Probes++;
        return _levels[level].GetValueOrDefault(word);
    }

    private void Store(int level, UInt128 word, ulong value)
    {
        if (value == 0) _levels[level].Remove(word);
        else _levels[level][word] = value;
    }

    private static ulong BitOf(UInt128 index) => 1UL << (int)(uint)(index & WordMask);

    private static ulong LowBits(int count) => (1UL << count) - 1;

    private void CheckRange(UInt128 position)
    {
        if (position > Last)
            throw new ArgumentOutOfRangeException(nameof(position), $"position {position} is past the last position {Last}");
    }
}
