using Raft.Core.Node;

namespace Raft.Tests.Core;

/// <summary>
/// A leader's view of one follower (Figure 2's nextIndex and matchIndex, plus flow control), alone.
/// Each rule here survived a mutation run of the core (docs/mutation-score.md): the role tests
/// drive Progress only through the paths a correct cluster takes.
/// </summary>
public sealed class ProgressTests
{
    /// <summary>A follower in Replicate, acknowledged up to <paramref name="match"/>, with AppendEntries ending at each of <paramref name="inflight"/> sent.</summary>
    private static Progress Replicating(long match, params long[] inflight)
    {
        var progress = new Progress(match + 1);
        progress.SentAppend(match - 1, 1); // the probe
        progress.MaybeAcknowledge(match); // into Replicate
        var prev = match;
        foreach (var last in inflight)
        {
            progress.SentAppend(prev, (int)(last - prev));
            prev = last;
        }
        Assert.That((progress.State, progress.Inflight), Is.EqualTo((ReplicationState.Replicate, inflight.Length)), "the premise");
        return progress;
    }

    [Test]
    public void A_heartbeat_takes_no_part_in_flow_control()
    {
        var replicating = Replicating(3, 5);
        replicating.SentAppend(5, 0);
        Assert.That((replicating.Inflight, replicating.Next), Is.EqualTo((1, 6L)), "in Replicate: no slot taken, Next unchanged");

        var probing = new Progress(4);
        probing.SentAppend(3, 0);
        Assert.That(probing.ProbeSent, Is.False, "in Probe: a heartbeat is not the probe");
    }

    [Test]
    public void An_acknowledgement_of_what_was_never_sent_is_refused()
    {
        var progress = Replicating(3, 5);
        Assert.That(() => progress.MaybeAcknowledge(6), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(progress.Match, Is.EqualTo(3));
    }

    [Test]
    public void A_repeated_acknowledgement_does_not_advance_Match_but_allows_the_next_probe()
    {
        var progress = Replicating(3, 5);
        Assert.That(progress.MaybeAcknowledge(5), Is.True);
        Assert.That(progress.MaybeAcknowledge(5), Is.False, "a duplicate: Match is already 5");
        Assert.That(progress.MaybeAcknowledge(4), Is.False, "an old one, overtaken");

        var probing = new Progress(4);
        probing.SentAppend(3, 1); // the probe goes out
        Assert.That(probing.IsPaused(8), Is.True, "the premise: one probe at a time");
        probing.MaybeAcknowledge(0); // an answer that advances nothing
        Assert.That(probing.IsPaused(8), Is.False, "any answer allows the next probe");
    }

    [Test]
    public void A_follower_sent_a_snapshot_stays_in_Snapshot_until_it_acknowledges_the_snapshot_index()
    {
        var progress = Replicating(3, 5, 7);
        progress.StartSnapshot(10);
        Assert.That((progress.Inflight, progress.IsPaused(8)), Is.EqualTo((0, true)), "the entries in flight are forgotten; nothing more is sent meanwhile");

        Assert.That(progress.MaybeAcknowledge(7), Is.True, "Match advances");
        Assert.That(progress.State, Is.EqualTo(ReplicationState.Snapshot), "but 7 is short of the snapshot");

        Assert.That(progress.MaybeAcknowledge(10), Is.True);
        Assert.That((progress.State, progress.Match, progress.Next), Is.EqualTo((ReplicationState.Replicate, 10L, 11L)));
    }

    [Test]
    public void A_repeated_snapshot_offset_is_no_news()
    {
        var progress = Replicating(3);
        progress.StartSnapshot(10);
        Assert.That(progress.MaybeMoveSnapshotOffset(4096), Is.True);
        Assert.That(progress.MaybeMoveSnapshotOffset(4096), Is.False);
        Assert.That(progress.SnapshotOffset, Is.EqualTo(4096));
    }

    [Test]
    public void In_Probe_only_a_rejection_of_the_probe_itself_above_Match_is_news()
    {
        var progress = Replicating(3, 5);
        progress.BackOffTo(6, firstMessageIdAfter: 100); // Probe, Next 6, Match 3
        Assert.That(progress.IsCurrentRejection(5, inReplyTo: 100), Is.True, "the probe at Next - 1");
        Assert.That(progress.IsCurrentRejection(4, inReplyTo: 100), Is.False, "not the probe");
        Assert.That(progress.IsCurrentRejection(5, inReplyTo: 99), Is.False, "sent before the back-off");

        var atMatch = Replicating(5, 7);
        atMatch.BackOffTo(6, firstMessageIdAfter: 100); // Probe, Next 6, Match 5: the probe's PrevLogIndex is Match
        Assert.That(atMatch.IsCurrentRejection(5, inReplyTo: 100), Is.False, "index 5 is known to match: a rejection of it is stale");
    }

    [Test]
    public void In_Replicate_only_a_rejection_above_Match_and_below_Next_is_news()
    {
        var progress = Replicating(3, 5, 7); // Match 3, Next 8
        Assert.That(progress.IsCurrentRejection(5, inReplyTo: 0), Is.True);
        Assert.That(progress.IsCurrentRejection(3, inReplyTo: 0), Is.False, "at Match");
        Assert.That(progress.IsCurrentRejection(2, inReplyTo: 0), Is.False, "below Match");
        Assert.That(progress.IsCurrentRejection(8, inReplyTo: 0), Is.False, "at Next: never sent");
    }

    [Test]
    public void While_a_snapshot_is_on_its_way_no_rejection_is_news_and_none_backs_off()
    {
        var progress = Replicating(3, 5);
        progress.StartSnapshot(10);
        Assert.That(progress.IsCurrentRejection(5, inReplyTo: 0), Is.False);

        progress.BackOffTo(4, firstMessageIdAfter: 100);

        Assert.That((progress.State, progress.SnapshotIndex), Is.EqualTo((ReplicationState.Snapshot, 10L)));
    }

    [Test]
    public void A_back_off_forgets_the_entries_in_flight_and_never_goes_to_or_below_Match()
    {
        var progress = Replicating(3, 5, 7);

        progress.BackOffTo(2, firstMessageIdAfter: 100);

        Assert.That((progress.State, progress.Inflight, progress.Next, progress.ProbeSent), Is.EqualTo((ReplicationState.Probe, 0, 4L, false)));
    }

    [Test]
    public void Its_description_names_what_matters_in_each_state()
    {
        var progress = Replicating(3, 5);
        Assert.That(progress.ToString(), Is.EqualTo("match=3 next=6 Replicate inflight=1"));
        progress.StartSnapshot(10);
        progress.MaybeMoveSnapshotOffset(64);
        Assert.That(progress.ToString(), Is.EqualTo("match=3 next=6 Snapshot snapshot=10 offset=64"));
    }
}
