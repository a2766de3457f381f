namespace Raft.Core.Node;

/// <summary>Majority arithmetic, kept apart so it can be tested exhaustively.</summary>
public static class Quorum
{
    /// <summary>Smallest number of members that forms a majority of <paramref name="members"/>.</summary>
    public static int Majority(int members)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(members);
        return members / 2 + 1;
    }

    public static bool IsMajority(int count, int members) => count >= Majority(members);

    /// <summary>
    /// The highest index that a majority has reached: the largest N such that at least a
    /// majority of <paramref name="matchIndices"/> are &gt;= N (one value per member).
    /// </summary>
    /// <remarks>Sorts <paramref name="matchIndices"/> in place.</remarks>
    public static long MajorityIndex(Span<long> matchIndices)
    {
        matchIndices.Sort(); // ascending: the lowest value of the top majority is this far from the end
        return matchIndices[matchIndices.Length - Majority(matchIndices.Length)];
    }
}
