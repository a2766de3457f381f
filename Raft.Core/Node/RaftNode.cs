using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Randomness;
using Raft.Core.Storage;
using SendEffect = Raft.Core.Effects.Send;

namespace Raft.Core.Node;

/// <summary>
/// The reference Raft server of the paper's §5, as a pure state machine: <see cref="Step(Input)"/> takes
/// one input and returns effects. This file holds the state of Figure 2 and the rules for all
/// servers; the role-specific rules are in Follower.cs, Candidate.cs and Leader.cs, and the
/// thesis extensions in PreCandidate.cs (PreVote, §9.6), CheckQuorum.cs (§6.2, §4.2.3),
/// LeadershipTransfer.cs (§3.10), LinearizableReads.cs (§6.4), Membership.cs (§4: membership
/// changes and learners); log compaction and InstallSnapshot (§7) in Snapshots.cs; the checks that
/// keep untrusted peer messages from corrupting or crashing the node in UntrustedPeers.cs.
/// </summary>
public sealed partial class RaftNode : IRaftNode
{
    private readonly RaftOptions options;
    private readonly IRandomSource random;
    private readonly RaftLog log = new();
    private readonly List<Effect> effects = []; // this step's effects; reused, each Output gets a copy
    private long nextMessageId;
    private int electionElapsedTicks;
    private int electionTimeoutTicks;

    /// <summary>Starts a node as a follower from what it finds in storage (§5.2: servers start as followers).</summary>
    /// <param name="id">This node.</param>
    /// <param name="members">
    /// The voters the cluster started with, this node included; empty for a server that will be
    /// added to a running cluster (it waits to hear from a leader). The log and snapshot override
    /// it once they hold a configuration (thesis §4).
    /// </param>
    /// <param name="options">Timings and limits.</param>
    /// <param name="random">Seeded source of election-timeout jitter.</param>
    /// <param name="persisted">What this node stored before a restart; empty for a fresh node.</param>
    /// <param name="firstMessageId">First message id; give each incarnation a distinct range to keep ids unique.</param>
    public RaftNode(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random,
        PersistentState? persisted = null, long firstMessageId = 1)
    {
        if (members.Count > 0 && !members.Contains(id)) throw new ArgumentException($"{id} is not among the members", nameof(members));
        Id = id;
        this.options = options.Validate();
        this.random = random;
        initialConfiguration = new Configuration(members);
        nextMessageId = firstMessageId;

        persisted ??= PersistentState.Empty;
        Term = persisted.HardState.Term;
        // TeachingBug.ForgetVoteOnRestart: votedFor is persistent state in Figure 2; forgetting it allows two votes in one term.
        VotedFor = options.Bug == TeachingBug.ForgetVoteOnRestart ? null : persisted.HardState.VotedFor;
        if (persisted.Snapshot is { } stored) RestoreFromSnapshot(stored);
        foreach (var entry in persisted.Entries) log.Append(entry);
        persistedIndex = log.LastIndex; // what storage handed back is durable
        RefreshConfiguration();
        Role = Role.Follower;
        ResetElectionTimer();
        StartRestartLease(persisted.HardState);
    }

    public NodeId Id { get; }

    public Role Role { get; private set; }

    public long Term { get; private set; }

    public NodeId? VotedFor { get; private set; }

    public NodeId? Leader { get; private set; }

    public long CommitIndex { get; private set; }

    public long LastApplied { get; private set; }

    public IReadOnlyRaftLog Log => log;

    /// <summary>
    /// Peer messages dropped because their fields cannot be true of any correct peer (an index past
    /// what was sent, entries out of order, an answer to a request never sent...). Peers are
    /// untrusted input: such a message is counted and has no effect; it never throws.
    /// </summary>
    public long IgnoredMessages { get; private set; }

    /// <summary>Ticks until this node starts an election, unless it hears from a leader or grants a vote.</summary>
    public int TicksUntilElection => Role == Role.Leader ? int.MaxValue : electionTimeoutTicks - electionElapsedTicks;

    public Output Step(Input input)
    {
        var proposal = Handle(input);
        if (effects.Count == 0) return proposal is null ? Output.None : new Output([], proposal); // an idle tick allocates nothing
        return new Output(effects.ToArray(), proposal); // an exact copy: one array, and the list stays here for the next step
    }

    public ProposeOutcome? Step(Input input, List<Effect> effects)
    {
        var proposal = Handle(input);
        effects.AddRange(this.effects); // copied into the driver's list: nothing allocated once it has grown
        return proposal;
    }

    /// <summary>Handles one input, leaving its effects in <see cref="effects"/>; returns what became of a proposal.</summary>
    private ProposeOutcome? Handle(Input input)
    {
        effects.Clear();
        ProposeOutcome? proposal = null;
        switch (input)
        {
            case Tick:
                TickRestartLease();
                if (Role == Role.Leader) TickLeader();
                else TickElection();
                break;
            case Receive receive:
                ReceiveMessage(receive.Message);
                break;
            case Propose propose:
                proposal = ProposeCommand(propose.Command);
                break;
            case Campaign:
                if (Role != Role.Leader && MayCampaign) StartElection();
                break;
            case TransferLeadership transfer:
                StartLeadershipTransfer(transfer.Target);
                break;
            case ReadIndex read:
                HandleReadIndex(read.RequestId);
                break;
            case Compact compact:
                CompactLog(compact);
                break;
            case ChangeMembership change:
                proposal = HandleChangeMembership(change);
                break;
            case LogPersisted persisted:
                HandleLogPersisted(persisted); // thesis §10.2.1, in ParallelPersist.cs
                break;
            default:
                throw new ArgumentException($"unknown input {input.GetType().Name}", nameof(input));
        }

        RefuseReadsIfDeposed();
        ApplyCommitted();
        if (options.Bug == TeachingBug.ReplyBeforePersist)
        {
            // TeachingBug.ReplyBeforePersist: messages overtake the persists they depend on (thesis §3.8).
            List<Effect> reordered = [.. effects.OfType<SendEffect>(), .. effects.Where(e => e is not SendEffect)];
            effects.Clear();
            effects.AddRange(reordered);
        }
        return proposal;
    }

    /// <summary>Rules for all servers (§5.1), applied before any role-specific handling.</summary>
    private void ReceiveMessage(Message message)
    {
        // Messages from servers outside our configuration count too (thesis §4.1): a new server
        // hears from a leader it does not know yet, and a lagging one from a newly added leader.
        if (message.To != Id || message.From == Id) return;
        if (!IsPlausible(message))
        {
            IgnoreImplausible(); // untrusted input: see UntrustedPeers.cs
            return;
        }

        // Thesis §4.2.3: with CheckQuorum, a server that heard from a leader recently ignores a
        // vote request for a later term (it neither grants it nor adopts the term), unless the
        // leader itself asked for that election (leadership transfer, §3.10).
        if (message is RequestVote vote && vote.Term > Term && IsWithinLeaderLease(vote)) return;

        if (message.Term > Term && !IsPreVoteTraffic(message))
        {
            // §5.1: a higher term in any message means this node is out of date: adopt it and follow.
            if (Role == Role.Leader && options.Bug == TeachingBug.LeaderIgnoresHigherTerm)
                SetHardState(message.Term, null); // TeachingBug.LeaderIgnoresHigherTerm: adopt the term but stay leader.
            else
                BecomeFollower(message.Term, message is AppendEntries ? message.From : null);
        }
        else if (message.Term < Term)
        {
            // §5.1: a request from a stale term is rejected (the reply carries our term so the
            // sender steps down); a stale response is simply dropped.
            RejectStaleRequest(message);
            return;
        }

        if (message is PreVote preVote)
        {
            HandlePreVote(preVote); // every role answers a pre-vote the same way
            return;
        }
        switch (Role)
        {
            case Role.Follower: StepFollower(message); break;
            case Role.PreCandidate: StepPreCandidate(message); break;
            case Role.Candidate: StepCandidate(message); break;
            case Role.Leader: StepLeader(message); break;
        }
    }

    private void RejectStaleRequest(Message message)
    {
        switch (message)
        {
            case RequestVote request:
                Send(new RequestVoteResponse(Id, request.From, Term, NextMessageId(), request.Id, VoteGranted: false));
                break;
            case PreVote preVote:
                Send(new PreVoteResponse(Id, preVote.From, Term, NextMessageId(), preVote.Id, VoteGranted: false));
                break;
            case AppendEntries append:
                Send(new AppendEntriesResponse(Id, append.From, Term, NextMessageId(), append.Id,
                    Success: false, Index: append.PrevLogIndex, HintIndex: 0, HintTerm: 0));
                break;
            case InstallSnapshot chunk:
                Send(new InstallSnapshotResponse(Id, chunk.From, Term, NextMessageId(), chunk.Id, chunk.LastIncludedIndex, NextOffset: 0, Done: false));
                break;
        }
    }

    /// <summary>All servers apply committed entries, in order (Figure 2, "Rules for Servers").</summary>
    private void ApplyCommitted()
    {
        var upTo = Math.Min(CommitIndex, log.LastIndex);
        while (LastApplied < upTo)
        {
            LastApplied++;
            effects.Add(new ApplyEntry(log.EntryAt(LastApplied)));
        }
    }

    /// <summary>Changes currentTerm/votedFor; the persist effect precedes any message sent afterwards.</summary>
    private void SetHardState(long term, NodeId? votedFor)
    {
        if (term < Term) throw new InvalidOperationException($"term going back from {Term} to {term}");
        Term = term;
        VotedFor = votedFor;
        effects.Add(new PersistHardState(new HardState(term, votedFor)));
    }

    /// <summary>Appends to this node's log and asks the driver to persist the new tail from <paramref name="firstIndex"/>.</summary>
    private void PersistTailFrom(long firstIndex) =>
        effects.Add(new PersistEntries(firstIndex, log.Slice(firstIndex, log.LastIndex)));

    private void Send(Message message) => effects.Add(new SendEffect(message));

    private long NextMessageId() => nextMessageId++;

    /// <summary>§5.2: a new election timeout, drawn from [ElectionTicks, 2*ElectionTicks).</summary>
    private void ResetElectionTimer()
    {
        electionElapsedTicks = 0;
        electionTimeoutTicks = options.ElectionTicks + random.Next(options.ElectionTicks);
    }

}
