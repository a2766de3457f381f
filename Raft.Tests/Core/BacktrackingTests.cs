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

    [Test]
    public void A_duplicated_old_rejection_does_not_move_next_back_once_the_follower_is_replicating_again()
    {
        var cluster = new TestCluster(3, new RaftOptions { MaxEntriesPerAppend = 1 });
        cluster.Elect(1);
        cluster.Isolate(2); // out of the way: only n1 and n3 matter here
        cluster.Cut(1, 3);
        for (var i = 1; i <= 4; i++) cluster.Propose(1, Put(i)); // 2..5, lost on the way to n3
        cluster.DeliverAll();
        cluster.HealAll();
        cluster.Isolate(2);
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var heartbeat = cluster.Take(m => m is AppendEntries { To.Value: 3 })[0];
        cluster.DropAll();
        var rejection = cluster.Deliver(heartbeat).SentOne<AppendEntriesResponse>(); // n3 ends at 1: prev 5 rejected
        cluster.DeliverNext(); // the rejection: n1 backs off and probes at 1
        cluster.DeliverNext(); // n3 accepts entry 2
        cluster.DeliverNext(); // n1: match 2, replicating again, entry 3 on its way
        cluster.Propose(1, Put(5));
        cluster.Propose(1, Put(6)); // entries 4 and 5 on their way: Next 6
        var before = cluster[1].ProgressOf(N(3))!.ToString();
        Assert.That(before, Does.StartWith("match=2 next=6 Replicate"));

        var output = cluster.Deliver(rejection); // the network duplicated it

        Assert.That(cluster[1].ProgressOf(N(3))!.ToString(), Is.EqualTo(before));
        Assert.That(output.Sent<AppendEntries>(), Is.Empty);
    }

    [Test]
    public void A_reordered_old_rejection_does_not_move_a_probe_to_an_index_already_known_to_conflict()
    {
        // Figure 7 (e) again: 10 is too short for n2 (hint 8), then 7 conflicts (term 4, retry after 5).
        long[] leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
        var cluster = new TestCluster(3);
        cluster.PresetLog(1, 7, leaderTerms);
        cluster.PresetLog(2, 7, 1, 1, 1, 4, 4, 4, 4);
        cluster.PresetLog(3, 7, leaderTerms);
        cluster.Isolate(2);
        cluster.Elect(1);
        cluster.HealAll();
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        var probeAt10 = cluster.Take(m => m is AppendEntries { To.Value: 2 })[0];
        cluster.DropAll();
        var rejectionOf10 = cluster.Deliver(probeAt10).SentOne<AppendEntriesResponse>();
        cluster.DeliverNext(); // n1 backs off to 8 and probes at 7
        cluster.DeliverNext(); // n2 rejects 7
        cluster.DeliverNext(); // n1 backs off to 6 and probes at 5
        Assert.That(cluster[1].ProgressOf(N(2))!.Next, Is.EqualTo(6));

        var output = cluster.Deliver(rejectionOf10); // arrives late

        Assert.That(cluster[1].ProgressOf(N(2))!.Next, Is.EqualTo(6));
        Assert.That(output.Sent<AppendEntries>(), Is.Empty);
    }
}
