using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;

namespace Raft.Core.Node;

/// <summary>
/// Membership changes, one server at a time (thesis §4.1), and learners. A configuration is an
/// ordinary log entry, and every server uses the latest configuration in its log as soon as it is
/// appended, committed or not; if a conflicting suffix is truncated, the server falls back to the
/// configuration before it. Because any two majorities of configurations that differ by one voter
/// overlap, a leader may start a change only when the previous one is committed, and only once it
/// has committed an entry of its own term (the correction to §4.1 published after the thesis).
/// New servers join as learners (non-voting) and are promoted once they have caught up (§4.2.1):
/// the configuration that adds one marks it as joining, so that whichever leader is in office when
/// it has caught up appends the promotion, even if the leader that accepted the request is gone.
/// A leader that removes itself keeps leading until the change commits, without counting itself,
/// and then steps down (§4.2.2). Removed servers that do not know it yet are kept from disrupting
/// the cluster by PreVote and by the vote lease of CheckQuorum (§4.2.3, in CheckQuorum.cs).
/// </summary>
public sealed partial class RaftNode
{
    private readonly Configuration initialConfiguration;

    /// <summary>The configuration in force: the latest in the log, else the snapshot's, else the one the node started with.</summary>
    public Configuration Configuration { get; private set; } = Configuration.Empty;

    /// <summary>
    /// Index of the entry that holds <see cref="Configuration"/>: 0 for the initial one, and the
    /// snapshot's last index when that entry has been compacted into a snapshot (it is committed either way).
    /// </summary>
    public long ConfigurationIndex { get; private set; }

    /// <summary>Learners the leader will promote to voters once they have caught up (leader only): the joining ones.</summary>
    public IReadOnlyCollection<NodeId> PendingPromotions => Role == Role.Leader ? Configuration.Joining : [];

    /// <summary>Voters and learners other than this node: the servers a leader replicates to.</summary>
    private IEnumerable<NodeId> OtherMembers => Configuration.Members.Where(m => m != Id);

    /// <summary>Voters other than this node: the servers a candidate asks for votes.</summary>
    private IEnumerable<NodeId> OtherVoters => Configuration.Voters.Where(v => v != Id);

    private bool IsVoter => Configuration.IsVoter(Id);

    /// <summary>
    /// Whether this server may start an election: a voter, or a voter whose removal is still
    /// uncommitted in its log (typically a leader that removed itself, §4.2.2, and lost leadership
    /// before the change committed). The latter counts votes in its latest configuration, as
    /// everyone does, so this is safe; without it the cluster can deadlock: in {n3, n4} with
    /// "remove n4" only on n4, n4 would never campaign and n3, whose log is behind, never win.
    /// </summary>
    private bool MayCampaign => IsVoter || (ConfigurationIndex > CommitIndex &&
        (log.ConfigurationAsOf(ConfigurationIndex - 1)?.Configuration ?? initialConfiguration).IsVoter(Id));

    /// <summary>Whether the voters for which <paramref name="agrees"/> holds form a majority of the current configuration.</summary>
    private bool HasQuorum(Func<NodeId, bool> agrees) => Configuration.HasQuorum(agrees);

    /// <summary>Re-reads the configuration from the log, after anything that may have changed it.</summary>
    private void RefreshConfiguration()
    {
        var (configuration, index) = log.ConfigurationAsOf(log.LastIndex) ?? (initialConfiguration, 0);
        if (index == ConfigurationIndex && configuration.Equals(Configuration)) return;
        Configuration = configuration;
        ConfigurationIndex = index;
        if (Role == Role.Leader) TrackMembers();
    }

    /// <summary>The configuration in force at <paramref name="index"/>, for a snapshot ending there.</summary>
    private Configuration ConfigurationAt(long index) =>
        options.Bug == TeachingBug.SnapshotForgetsConfiguration
            ? initialConfiguration // TeachingBug.SnapshotForgetsConfiguration: a node restored from it falls back to its start-up membership
            : log.ConfigurationAsOf(index)?.Configuration ?? initialConfiguration;

    private ProposeOutcome HandleChangeMembership(ChangeMembership change)
    {
        if (Role != Role.Leader) return ProposeOutcome.NotLeader(Leader);
        if (transferTarget is not null) return ProposeOutcome.TransferInProgress(Id);
        var node = change.Node;
        Configuration? next = change.Kind switch
        {
            MembershipChangeKind.AddVoter or MembershipChangeKind.AddLearner when node == Id => null, // a leader is a member already
            MembershipChangeKind.AddVoter when Configuration.IsVoter(node) => null,
            MembershipChangeKind.AddVoter when HasCaughtUp(node) => Configuration.WithVoter(node), // a learner that is ready
            MembershipChangeKind.AddVoter when Configuration.IsJoining(node) => null, // asked already: it is promoted once caught up
            MembershipChangeKind.AddVoter => Configuration.WithJoiningLearner(node), // caught up first, promoted later (§4.2.1)
            MembershipChangeKind.AddLearner when Configuration.IsMember(node) => null,
            MembershipChangeKind.AddLearner => Configuration.WithLearner(node),
            MembershipChangeKind.Remove when !Configuration.IsMember(node) => null,
            MembershipChangeKind.Remove when Configuration.Voters is [var last] && last == node => null, // a cluster needs a voter
            _ => Configuration.Without(node),
        };
        if (next is null) return ProposeOutcome.Refused(Id, ProposeRefusal.MembershipChangeInvalid);
        if (CannotChangeConfigurationYet() is { } refusal) return ProposeOutcome.Refused(Id, refusal);
        return AppendConfiguration(next);
    }

    /// <summary>§4.2.1: a learner has caught up once it holds every committed entry, so that promoting it cannot stall commitment.</summary>
    private bool HasCaughtUp(NodeId learner) =>
        Configuration.IsLearner(learner) && progress.TryGetValue(learner, out var pr) && pr.Match >= CommitIndex;

    /// <summary>Why the leader must wait before appending a configuration, or null if it may.</summary>
    private ProposeRefusal? CannotChangeConfigurationYet()
    {
        // TeachingBug.OverlappingMembershipChanges: start a change while the last is uncommitted,
        // so two configurations with disjoint majorities can both be in use.
        if (options.Bug == TeachingBug.OverlappingMembershipChanges) return null;
        if (ConfigurationIndex > CommitIndex) return ProposeRefusal.MembershipChangeInProgress; // §4.1: one at a time
        if (log.TermAt(CommitIndex) != Term) return ProposeRefusal.LeaderNotReady; // commit in our term first
        return null;
    }

    private ProposeOutcome AppendConfiguration(Configuration next)
    {
        var entry = AppendOwnEntry(EntryKind.Configuration, next.Encode()); // in force from now (§4.1)
        foreach (var peer in OtherMembers) SendAppend(peer, heartbeat: false);
        MaybeAdvanceCommit();
        return new ProposeOutcome(true, entry.Index, entry.Term, Id);
    }

    /// <summary>
    /// §4.2.1: promote a joining learner once it has caught up. Any leader does this, not only the
    /// one that accepted the request: the intent is in the configuration. One change at a time.
    /// </summary>
    private void MaybePromoteLearners()
    {
        if (Role != Role.Leader || Configuration.Joining.Count == 0 || transferTarget is not null || CannotChangeConfigurationYet() is not null) return;
        var ready = Configuration.Joining.Where(HasCaughtUp).ToList();
        if (ready.Count > 0) AppendConfiguration(Configuration.WithVoter(ready[0]));
    }

    /// <summary>Leader: one Progress per other member, added and removed as the configuration changes.</summary>
    private void TrackMembers()
    {
        foreach (var gone in progress.Keys.Where(p => !Configuration.IsMember(p)).ToList()) progress.Remove(gone);
        foreach (var member in OtherMembers)
        {
            if (progress.ContainsKey(member)) continue;
            progress[member] = new Progress(log.LastIndex + 1);
            SendAppend(member, heartbeat: true);
        }
        peers = [.. progress.Keys];
    }

    /// <summary>§4.2.2: a leader that is no longer a voter steps down once the configuration without it commits.</summary>
    private void MaybeStepDownAfterRemoval()
    {
        if (Role == Role.Leader && !IsVoter && CommitIndex >= ConfigurationIndex) BecomeFollower(Term, null);
    }
}
