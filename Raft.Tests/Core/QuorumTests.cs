using Raft.Core.Node;

namespace Raft.Tests.Core;

/// <summary>Majority arithmetic, exhaustively for clusters of 1 to 9 members.</summary>
public sealed class QuorumTests
{
    private static readonly int[] Sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    [TestCaseSource(nameof(Sizes))]
    public void A_majority_is_more_than_half_of_the_members(int members)
    {
        for (var count = 0; count <= members; count++)
            Assert.That(Quorum.IsMajority(count, members), Is.EqualTo(2 * count > members), $"{count} of {members}");
        Assert.That(2 * Quorum.Majority(members), Is.GreaterThan(members));
        Assert.That(2 * (Quorum.Majority(members) - 1), Is.LessThanOrEqualTo(members), "and the smallest such number");
    }

    [TestCaseSource(nameof(Sizes))]
    public void Any_two_majorities_share_a_member(int members)
    {
        // Why one leader per term and why committed entries survive: quorums intersect.
        Assert.That(2 * Quorum.Majority(members) - members, Is.GreaterThanOrEqualTo(1));
    }

    [TestCaseSource(nameof(Sizes))]
    public void MajorityIndex_is_the_highest_index_a_majority_has_reached(int members)
    {
        // Every vector of match indices in [0, 3]^members (4^9 = 262,144 at most).
        var total = (int)Math.Pow(4, members);
        var matches = new long[members];
        for (var code = 0; code < total; code++)
        {
            for (int i = 0, c = code; i < members; i++, c /= 4) matches[i] = c % 4;
            var expected = Enumerable.Range(0, 4).Last(n => matches.Count(m => m >= n) * 2 > members);
            var actual = Quorum.MajorityIndex(matches.ToArray()); // a copy: it sorts what it is given
            if (actual != expected)
                Assert.Fail($"MajorityIndex([{string.Join(", ", matches)}]) = {actual}, expected {expected}");
        }
    }

    [Test]
    public void A_cluster_of_no_members_has_no_majority()
    {
        Assert.That(() => Quorum.Majority(0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
