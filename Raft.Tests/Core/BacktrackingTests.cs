using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>§5.3, end: with a conflict hint the leader skips a whole term per rejection instead of one entry.</summary>
public sealed class BacktrackingTests
{
    private static List<AppendEntriesResponse> Rejections(TestCluster cluster, int follower) =>
        cluster.EffectLog[N(follower)].OfType<Send>().Select(s => s.Message)
            .OfType<AppendEntriesResponse>().Where(r => !r.Success).ToList();

    private static List<AppendEntries> AppendsTo(TestCluster cluster, int leader, int follower) =>
        cluster.EffectLog[N(leader)].OfType<Send>().Select(s => s.Message)
            .OfType<AppendEntries>().Where(a => a.To == N(follower)).ToList();

    [Test]
    public void A_follower_50_entries_behind_with_a_divergent_tail_is_repaired_in_a_few_round_trips()
    {
        // Leader: 10 entries of term 1, then 56 of term 5 (66). Follower: the same 10 entries of
        // term 1, then a divergent tail of terms 2, 3, 4 (16 entries, 50 behind).
        long[] leaderTerms = [.. Enumerable.Repeat(1L, 10), .. Enumerable.Repeat(5L, 56)];
        long[] followerTerms = [.. Enumerable.Repeat(1L, 10), 2, 2, 3, 3, 4, 4];
        var cluster = new TestCluster(3);
        cluster.PresetLog(1, 5, leaderTerms);
        cluster.PresetLog(2, 5, followerTerms);
        cluster.PresetLog(3, 5, leaderTerms);

        cluster.Elect(1);

        Assert.That(cluster.Terms(2), Is.EqualTo(cluster.Terms(1)));
        // Expected rejections: one because the follower is too short (the hint jumps nextIndex to
        // its end, 17), then one per conflicting term on the follower (4, 3, 2: each hint moves
        // nextIndex to that term's first index, since the leader holds no entry of it). Then index
        // 10 (term 1) matches. Distinct conflicting terms + 1 = 4; we allow one more as slack.
        // Walking back one entry at a time would need about 56 rejections.
        const int distinctConflictingTerms = 3;
        Assert.That(Rejections(cluster, 2), Has.Count.LessThanOrEqualTo(distinctConflictingTerms + 2));
        Assert.That(AppendsTo(cluster, 1, 2).Select(a => a.PrevLogIndex).Take(5), Is.EqualTo(new long[] { 66, 16, 14, 12, 10 }));
    }

    [Test]
    public void A_leader_that_holds_the_conflicting_term_retries_just_after_its_last_entry_of_that_term()
    {
        // Figure 7 (e): the follower's term-4 run (indices 4..7) overlaps the leader's (4..5).
        long[] leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
        var cluster = new TestCluster(3);
        cluster.PresetLog(1, 7, leaderTerms);
        cluster.PresetLog(2, 7, 1, 1, 1, 4, 4, 4, 4);
        cluster.PresetLog(3, 7, leaderTerms);

        cluster.Elect(1);

        // 10: too short, jump to the follower's end (8). 7: term 4 there; the leader's last term-4
        // entry is 5, so retry with prevLogIndex 5, which matches.
        Assert.That(AppendsTo(cluster, 1, 2).Select(a => a.PrevLogIndex).Take(3), Is.EqualTo(new long[] { 10, 7, 5 }));
        Assert.That(Rejections(cluster, 2), Has.Count.EqualTo(2));
        Assert.That(cluster.Terms(2), Is.EqualTo(cluster.Terms(1)));
    }
}
