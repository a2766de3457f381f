using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Randomness;
using Raft.Core.StateMachine;
using Raft.Simulation.Faults;
using Raft.Simulation.Nodes;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>
/// The driver's side of membership changes (thesis §4): spare servers, the add/learner/remove
/// faults handed to the leader, the committed configuration, and the operator who shuts removed
/// servers down once faults stop.
/// </summary>
public sealed partial class Simulation
{
    private Configuration committedConfiguration = Configuration.Empty;
    private long committedConfigurationIndex = -1;
    private int membershipChangesCommitted;
    private readonly SortedSet<NodeId> shutDownByOperator = [];

    /// <summary>
    /// The latest configuration known committed: the last configuration entry any server applied,
    /// or the configuration of a snapshot any server restored, else the initial voters.
    /// </summary>
    public Configuration CommittedConfiguration => committedConfigurationIndex < 0 ? initialConfiguration ??= new Configuration(Members) : committedConfiguration;

    private Configuration? initialConfiguration; // made once: the progress check asks often

    /// <summary>
    /// The seed's fault schedule. Membership changes come from their own stream; with them on, the
    /// other faults may also hit the spares. Without them the schedule is exactly what it always was.
    /// </summary>
    private static IReadOnlyList<FaultAction> GenerateSchedule(SimulationOptions options)
    {
        var servers = options.MembershipChanges ? options.Servers : options.Nodes;
        var faults = FaultScheduleGenerator.Generate(options.Faults, servers, options.DurationMicros,
            new SplitMix64(SplitMix64.Derive(options.Seed, FaultStream)));
        return options.MembershipChanges
            ? FaultScheduleGenerator.WithMembershipChanges(faults, options.Servers, options.DurationMicros,
                new SplitMix64(SplitMix64.Derive(options.Seed, MembershipStream)))
            : faults;
    }

    /// <summary>Hands a change to the current leader and traces its answer; with no leader it is a no-op.</summary>
    private void ChangeMembership(MembershipFault change)
    {
        if (change.Node > Servers.Count)
        {
            Record(TraceKind.Note, "-", $"n{change.Node} does not exist: {change.Describe()} ignored");
            return;
        }
        if (HighestLeader() is not { } leader)
        {
            Record(TraceKind.Note, "-", $"no leader: {change.Describe()} ignored");
            return;
        }
        var input = new ChangeMembership(change.Kind, new NodeId(change.Node));
        StepNode(nodes[leader], input, out var outcome);
        Record(TraceKind.Note, leader, outcome switch
        {
            null => $"{input}: no answer",
            { Accepted: true, Index: 0 } => $"{input} accepted: promoted once it has caught up",
            { Accepted: true } => $"{input} accepted at index {outcome.Index} in term {outcome.Term}",
            _ => $"{input} refused: {outcome.Refusal}",
        });
    }

    /// <summary>
    /// The running leader of the highest term, as an operator's tool would find it. Unlike
    /// <see cref="LeaderNow"/> it ignores candidates of higher terms, such as a cut-off server
    /// that keeps campaigning.
    /// </summary>
    private NodeId? HighestLeader()
    {
        SimNode? highest = null; // the first of the highest term, in id order
        foreach (var node in nodesInOrder) // a loop, not LINQ: asked after every event once faults stop
            if (node.Status == NodeStatus.Up && node.Core.Role == Role.Leader && (highest is null || node.Core.Term > highest.Core.Term)) highest = node;
        return highest?.Id;
    }

    /// <summary>An applied configuration entry is committed: it becomes the committed configuration if it is the newest.</summary>
    private void OnConfigurationApplied(LogEntry entry)
    {
        if (entry.Kind != EntryKind.Configuration || entry.Index <= committedConfigurationIndex) return;
        if (!Configuration.TryDecode(entry.Command, out var configuration)) return;
        committedConfiguration = configuration;
        committedConfigurationIndex = entry.Index;
        membershipChangesCommitted++;
    }

    /// <summary>A restored snapshot covers a committed prefix: its configuration is committed too (§4, §7).</summary>
    private void OnSnapshotRestored(Snapshot snapshot)
    {
        if (snapshot.LastIncludedIndex <= committedConfigurationIndex) return;
        committedConfiguration = snapshot.Metadata.Configuration;
        committedConfigurationIndex = snapshot.LastIncludedIndex;
    }

    /// <summary>
    /// Once faults stop, an operator shuts down every server that is neither a member of the
    /// committed configuration nor of the leader's (an unused spare, a removed server), and starts
    /// one again if the leader's configuration names it once more. Until then removed servers run,
    /// and may disrupt the cluster (thesis §4.2.3). With no leader nothing changes. The leader is
    /// found as an operator would, ignoring a removed server that campaigns in ever higher terms
    /// while CheckQuorum's lease keeps the voters from listening to it.
    /// </summary>
    private void ShutDownRemovedServers()
    {
        if (HighestLeader() is not { } leader) return;
        var leaderConfiguration = nodes[leader].Core.Configuration;
        var committed = CommittedConfiguration;
        foreach (var node in nodesInOrder)
        {
            var wanted = committed.IsMember(node.Id) || leaderConfiguration.IsMember(node.Id);
            if (wanted && shutDownByOperator.Remove(node.Id))
            {
                Record(TraceKind.Restart, node.Id, $"operator starts {node.Id} again: the leader's configuration names it ({leaderConfiguration})");
                Restart(node);
            }
            else if (!wanted && node.Status != NodeStatus.Down)
            {
                Record(TraceKind.Crash, node.Id, $"operator shuts {node.Id} down: not a member (committed {committed}, leader's {leaderConfiguration})");
                shutDownByOperator.Add(node.Id);
                Crash(node);
            }
        }
    }
}
