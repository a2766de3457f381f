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
    public static long MajorityIndex(IReadOnlyList<long> matchIndices)
    {
        var sorted = matchIndices.OrderDescending().ToArray();
        return sorted[Majority(sorted.Length) - 1];
    }
}
