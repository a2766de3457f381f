using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Tests.Support;
using static Raft.Tests.Support.TestCluster;

namespace Raft.Tests.Core;

/// <summary>
/// Figure 13, steps 6-8: what a follower holds right after it installs a snapshot that replaces its
/// log, before any entry after the snapshot reaches it: the snapshot's configuration (thesis §4),
/// and, for a leader that persists in parallel (thesis §10.2.1), no claim that the entries it threw
/// away are still on its disk.
/// </summary>
public sealed class SnapshotInstallTests
{
    [Test]
    public void A_follower_that_installs_a_snapshot_uses_the_configuration_in_it_at_once()
    {
        // n3 is down while n4 is added and promoted, and the configuration entries are compacted
        // into n1's snapshot: n3 learns of the new membership only from the snapshot.
        var cluster = new TestCluster(3, spares: 1);
        cluster.Elect(1);
        cluster.TickAll(2); // the no-op commits, so n1 may change the membership
        cluster.Crash(3);
        cluster.Step(1, new ChangeMembership(MembershipChangeKind.AddVoter, N(4)));
        cluster.DeliverAll();
        cluster.TickAll(4);
        Assert.That(cluster[1].Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"));
        cluster.Compact(1);
        Assert.That(cluster[1].Log.SnapshotIndex, Is.EqualTo(cluster[1].Log.LastIndex), "nothing after the snapshot to carry the configuration");

        var restarted = cluster.Restart(3);
        Assert.That(restarted.Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3"), "n3's own log stops before the change");
        cluster.Tick(1, cluster.Options.HeartbeatTicks);
        // n1 sent the membership entries to n3 before it went down: its heartbeat assumes n3 holds
        // them, n3's refusal sends n1 back to a point that only the snapshot covers.
        cluster.Deliver(cluster.Take(m => m is AppendEntries && m.To == N(3)).Single());
        cluster.Deliver(cluster.Take(m => m is AppendEntriesResponse && m.From == N(3)).Single());
        var chunk = cluster.Take(m => m is InstallSnapshot && m.To == N(3)).Cast<InstallSnapshot>().Single();
        Assert.That(chunk.Done, Is.True, "the whole snapshot in one chunk");
        cluster.Deliver(chunk);

        Assert.That(restarted.LatestSnapshot!.Metadata.LastIncludedIndex, Is.EqualTo(cluster[1].Log.SnapshotIndex));
        Assert.That(restarted.Configuration, Is.EqualTo(chunk.Configuration));
        Assert.That(restarted.Configuration.ToString(), Is.EqualTo("voters=n1,n2,n3,n4"));
        Assert.That(restarted.ConfigurationIndex, Is.EqualTo(cluster[1].ConfigurationIndex));
    }

    [Test]
    public void A_follower_whose_persisted_log_a_snapshot_replaced_does_not_count_it_as_durable_once_it_leads()
    {
        // n3 starts with entries 3-10 of term 2 on its disk, all of them durable. n1 leads term 4
        // without it, commits its own entries 3-6 and compacts them. The snapshot, at 6 of term 4,
        // contradicts n3's log there, so installing it throws n3's entries 3-10 away: n3's disk is
        // durable only up to the snapshot. n3 then leads term 5 with a no-op at 7; that no-op is not
        // durable on n3 until the driver says so, whatever n3's disk once held at 7.
        var options = new RaftOptions { ElectionTicks = 10, HeartbeatTicks = 2, LeaderPersistsInParallel = true };
        var cluster = new TestCluster(3, options);
        cluster.PresetLog(1, 3, 1, 1);
        cluster.PresetLog(2, 3, 1, 1);
        cluster.PresetLog(3, 2, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2);
        cluster.Isolate(3);
        cluster.Elect(1);
        Assert.That(cluster[1].Role, Is.EqualTo(Role.Leader));
        for (var n = 1; n <= 3; n++) cluster.Propose(1, Put(n));
        cluster.Step(1, new LogPersisted(6, cluster[1].Term));
        cluster.DeliverAll();
        cluster.TickAll(2);
        Assert.That(cluster[1].CommitIndex, Is.EqualTo(6));
        cluster.Compact(1);
        Assert.That((cluster[1].Log.SnapshotIndex, cluster[1].Log.LastIndex), Is.EqualTo((6L, 6L)));

        cluster.HealAll();
        cluster.Tick(1, options.HeartbeatTicks);
        cluster.DeliverAll();
        Assert.That(cluster[3].LatestSnapshot!.Metadata.LastIncludedIndex, Is.EqualTo(6));
        Assert.That((cluster[3].Log.LastIndex, cluster[3].Log.LastTerm), Is.EqualTo((6L, cluster[1].Term)), "n3's entries 7-10 are gone");

        cluster.Isolate(2);
        cluster.Campaign(3);
        cluster.DeliverAll(); // n1 votes for n3, then takes and acknowledges its no-op at 7
        Assert.That(cluster[3].Role, Is.EqualTo(Role.Leader));
        Assert.That(cluster[3].ProgressOf(N(1))!.Match, Is.EqualTo(7));
        Assert.That(cluster[3].CommitIndex, Is.EqualTo(6), "n1 alone holds the no-op durably: 1 of 3");

        cluster.Step(3, new LogPersisted(7, cluster[3].Term));
        Assert.That(cluster[3].CommitIndex, Is.EqualTo(7), "n3's own durable copy makes 2 of 3");
    }
}
