using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.Storage;
using SendEffect = Raft.Core.Effects.Send;

namespace StudentNode;

/// <summary>
/// Your Raft server (labs/README.md). It is a pure state machine, like the reference
/// <see cref="RaftNode"/>: the driver (the simulator, the grader) hands it one input at a time
/// through <see cref="Step"/> and carries out the effects it returns, in order.
/// <para>
/// This file holds the state of Figure 2, the step loop and the plumbing (effects, persistence,
/// timers). The Raft rules go in the other files, each next to its part of the paper:
/// StudentNode.Election.cs (lab 1, §5.2, §5.4.1), StudentNode.Replication.cs (lab 2, §5.3,
/// §5.4.2), StudentNode.Persistence.cs (lab 3, Figure 2 "Persistent state", thesis §3.8),
/// StudentNode.Snapshots.cs (lab 4, §7, Figure 13) and StudentNode.Reads.cs (lab 5, thesis §6.4).
/// </para>
/// <para>
/// Untouched, this skeleton stays a follower for ever and never sends anything: it compiles and
/// runs, and the grader fails it with a clear message (for example "no leader").
/// </para>
/// </summary>
public sealed partial class StudentNode : IRaftNode
{
    private readonly RaftOptions options;
    private readonly IRandomSource random;
    private readonly Configuration configuration;
    private List<Effect> effects = [];
    private long nextMessageId;

    // ---- Figure 2, persistent state on all servers (change them only through SetHardState and the log helpers) ----
    // currentTerm and votedFor are the properties Term and VotedFor below.

    /// <summary>log[]: the entries, indexed from 1. Read it freely; change it only as the paper says (see Persistence.cs).</summary>
    private readonly RaftLog log = new();

    // ---- Figure 2, volatile state on all servers: CommitIndex and LastApplied (properties below) ----

    // ---- election timer (§5.2) ----
    private int electionElapsedTicks;
    private int electionTimeoutTicks;

    /// <summary>Starts a server as a follower from what it finds in storage (§5.2: servers start as followers).</summary>
    /// <param name="id">This server.</param>
    /// <param name="members">The cluster's servers, this one included.</param>
    /// <param name="options">Timings and limits (ElectionTicks, HeartbeatTicks, MaxEntriesPerAppend...).</param>
    /// <param name="random">The only randomness you may use: election-timeout jitter.</param>
    /// <param name="persisted">What this server stored before it crashed; empty for a fresh server.</param>
    /// <param name="firstMessageId">First id for the messages this incarnation sends.</param>
    public StudentNode(NodeId id, IReadOnlyList<NodeId> members, RaftOptions options, IRandomSource random,
        PersistentState persisted, long firstMessageId)
    {
        Id = id;
        this.options = options.Validate();
        this.random = random;
        nextMessageId = firstMessageId;
        configuration = members.Count > 0 || persisted.Snapshot is null
            ? new Configuration(members)
            : persisted.Snapshot.Metadata.Configuration;
        RestoreFromStorage(persisted); // StudentNode.Persistence.cs
        Role = Role.Follower;
        ResetElectionTimer();
    }

    public NodeId Id { get; }

    /// <summary>The servers of the cluster. The labs keep the membership fixed.</summary>
    public Configuration Configuration => configuration;

    public Role Role { get; private set; }

    /// <summary>currentTerm (Figure 2): latest term this server has seen. Persistent.</summary>
    public long Term { get; private set; }

    /// <summary>votedFor (Figure 2): the candidate that received this server's vote in the current term, or null. Persistent.</summary>
    public NodeId? VotedFor { get; private set; }

    /// <summary>The leader of the current term as far as this server knows (a hint for clients).</summary>
    public NodeId? Leader { get; private set; }

    /// <summary>commitIndex (Figure 2): highest log entry known to be committed.</summary>
    public long CommitIndex { get; private set; }

    /// <summary>lastApplied (Figure 2): highest log entry handed out in an <see cref="ApplyEntry"/> effect.</summary>
    public long LastApplied { get; private set; }

    public IReadOnlyRaftLog Log => log;

    /// <summary>The other servers: the ones you send RequestVote and AppendEntries to.</summary>
    private IEnumerable<NodeId> Peers => configuration.Voters.Where(p => p != Id);

    /// <summary>Handles one input; returns the effects the driver must carry out, in the order they were added.</summary>
    public Output Step(Input input)
    {
        effects = [];
        ProposeOutcome? proposal = null;
        switch (input)
        {
            case Tick:
                switch (Role) // Figure 2, "Rules for Servers": what time means depends on the role
                {
                    case Role.Leader: TickLeader(); break; // StudentNode.Replication.cs
                    default: TickElectionTimer(); break;   // StudentNode.Election.cs
                }
                break;
            case Receive receive:
                ReceiveMessage(receive.Message);
                break;
            case Propose propose:
                proposal = Propose(propose.Command); // StudentNode.Replication.cs
                break;
            case Campaign:
                if (Role != Role.Leader) StartElection(); // a scripted "your timeout fired now"
                break;
            case Compact compact:
                CompactLog(compact); // StudentNode.Snapshots.cs
                break;
            case ReadIndex read:
                HandleReadIndex(read.RequestId); // StudentNode.Reads.cs
                break;
            case ChangeMembership:
                // Membership changes (thesis §4) are not part of the labs.
                proposal = Role == Role.Leader
                    ? ProposeOutcome.Refused(Id, ProposeRefusal.MembershipChangeInvalid)
                    : ProposeOutcome.NotLeader(Leader);
                break;
            case TransferLeadership or LogPersisted:
                break; // thesis §3.10 and §10.2.1: not part of the labs; ignored.
        }
        ApplyCommitted(); // StudentNode.Replication.cs
        return new Output(effects, proposal);
    }

    /// <summary>
    /// Every message from another server comes in here. Dispatches on the message type; each
    /// handler decides what to do given this server's <see cref="Role"/>.
    /// </summary>
    private void ReceiveMessage(Message message)
    {
        if (message.To != Id || message.From == Id) return;

        // TODO(lab 1) §5.1, Figure 2 "Rules for All Servers": a message carries its sender's term.
        // What must this server do when that term is higher than its own? And when it is lower,
        // which messages still deserve an answer (so that the stale sender learns the new term),
        // and which are simply dropped? Decide here, once, before any handler runs.
        // The refusal's fields other than the term matter little (its receiver sees your higher
        // term and steps down before it reads them), but fill them in plainly: a RequestVote gets
        // VoteGranted = false; an AppendEntries gets Success = false, Index = its PrevLogIndex and
        // no hint (HintIndex = HintTerm = 0); an InstallSnapshot chunk (lab 4) gets its
        // LastIncludedIndex, NextOffset = 0 and Done = false. Each answer's InReplyTo is the request's Id.

        switch (message)
        {
            case RequestVote request: HandleRequestVote(request); break;                       // Election.cs
            case RequestVoteResponse response: HandleRequestVoteResponse(response); break;     // Election.cs
            case AppendEntries append: HandleAppendEntries(append); break;                     // Replication.cs
            case AppendEntriesResponse response: HandleAppendEntriesResponse(response); break; // Replication.cs
            case InstallSnapshot chunk: HandleInstallSnapshot(chunk); break;                   // Snapshots.cs
            case InstallSnapshotResponse response: HandleInstallSnapshotResponse(response); break;
            // PreVote and TimeoutNow (thesis §9.6, §3.10) are not part of the labs.
        }
    }

    // ---- plumbing: effects, in order ---------------------------------------------------------

    /// <summary>Hands a message to the network. It leaves after every persist effect added before it.</summary>
    private void Send(Message message) => effects.Add(new SendEffect(message));

    /// <summary>A fresh id for a message this server sends (responses name the request's id in InReplyTo).</summary>
    private long NextMessageId() => nextMessageId++;

    /// <summary>
    /// Hands the committed entry at <paramref name="index"/> to the state machine and advances
    /// <see cref="LastApplied"/>. Call it for LastApplied + 1, LastApplied + 2... in order, each index once.
    /// </summary>
    private void Apply(long index)
    {
        if (index != LastApplied + 1) throw new InvalidOperationException($"applying {index} after {LastApplied}: entries are applied in order, once");
        if (index > CommitIndex) throw new InvalidOperationException($"applying {index} beyond the commit index {CommitIndex}");
        effects.Add(new ApplyEntry(log.EntryAt(index)));
        LastApplied = index;
    }

    /// <summary>True if <paramref name="count"/> servers, this one included if it counts itself, are a majority of the cluster.</summary>
    private bool IsMajority(int count) => count > configuration.Voters.Count / 2;

    // ---- plumbing: the election timer (§5.2) --------------------------------------------------

    /// <summary>
    /// Restarts the election timer with a new random timeout in [ElectionTicks, 2*ElectionTicks):
    /// randomness keeps servers from timing out together and splitting the vote (§5.2).
    /// </summary>
    private void ResetElectionTimer()
    {
        electionElapsedTicks = 0;
        electionTimeoutTicks = options.ElectionTicks + random.Next(options.ElectionTicks);
    }

    /// <summary>A summary of this server's state, for your own debugging output.</summary>
    public override string ToString() =>
        $"{Id} {Role} term={Term} vote={VotedFor?.ToString() ?? "-"} leader={Leader?.ToString() ?? "-"} " +
        $"log=[{log.FirstIndex}..{log.LastIndex}] commit={CommitIndex} applied={LastApplied}" +
        (Role == Role.Leader ? " next={" + string.Join(",", nextIndex.Select(p => $"{p.Key}:{p.Value}")) +
            "} match={" + string.Join(",", matchIndex.Select(p => $"{p.Key}:{p.Value}")) + "}" : "");
}
