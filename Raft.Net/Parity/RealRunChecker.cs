using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Node;
using Raft.Simulation.Checkers;

namespace Raft.Net.Parity;

/// <summary>
/// Checks a real cluster's run from the input logs its nodes wrote:
/// <list type="bullet">
/// <item>replay parity: each incarnation's inputs, replayed through a fresh core, give exactly the
/// effect digests the real node recorded (the host adds no hidden state);</item>
/// <item>safety: the replayed steps of all nodes, merged in wall-clock order, pass the simulator's
/// safety checker.</item>
/// </list>
/// </summary>
public static class RealRunChecker
{
    public sealed record Report(
        int Incarnations, long InputsReplayed, int ParityMismatches, string? FirstMismatch, Violation? Safety,
        int Elections, IReadOnlyList<(long TimeMicros, NodeId Node, long Term)> LeaderChanges,
        IReadOnlyDictionary<NodeId, (long CommitIndex, ulong CommittedDigest)> FinalCommits,
        IReadOnlySet<(long ClientId, long Sequence)> CommittedCommands)
    {
        public bool Ok => ParityMismatches == 0 && Safety is null;
    }

    public static Report Check(IEnumerable<string> nodeDirectories)
    {
        var logs = nodeDirectories
            .SelectMany(dir => Directory.Exists(dir) ? Directory.GetFiles(dir, "inputs-*.ndjson") : [])
            .Order(StringComparer.Ordinal)
            .Select(InputLog.Read)
            .OfType<(InputLogHeader Header, IReadOnlyList<RecordedInput> Inputs)>()
            .ToList();

        // Every step of every incarnation, tagged so that equal times keep a fixed order.
        var steps = new List<(long Time, int Log, int Index)>();
        for (var l = 0; l < logs.Count; l++)
            for (var i = 0; i < logs[l].Inputs.Count; i++)
                steps.Add((logs[l].Inputs[i].TimeMicros, l, i));
        steps.Sort();

        var cores = new RaftNode?[logs.Count];
        var safety = new SafetyChecker();
        var mismatches = 0;
        string? firstMismatch = null;
        var leaderChanges = new List<(long, NodeId, long)>();
        var finalCommits = new SortedDictionary<NodeId, (long, ulong)>();
        foreach (var (time, l, i) in steps)
        {
            var (header, inputs) = logs[l];
            if (cores[l] is null)
            {
                cores[l] = InputLog.CreateCore(header);
                safety.OnStart(cores[l]!, header.HardState, time);
            }
            var core = cores[l]!;
            var wasLeader = core.Role == Role.Leader;
            var output = core.Step(inputs[i].Input);
            if (InputLog.DigestOf(output, core) != inputs[i].EffectsDigest)
            {
                mismatches++;
                firstMismatch ??= $"{header.Node} incarnation {header.Incarnation}, input {i + 1} ({inputs[i].Input})";
            }
            safety.AfterStep(core, output.Effects, time);
            if (!wasLeader && core.Role == Role.Leader) leaderChanges.Add((time, core.Id, core.Term));
            var commit = Math.Min(core.CommitIndex, core.Log.LastIndex);
            if (!finalCommits.TryGetValue(core.Id, out var known) || commit >= known.Item1)
                finalCommits[core.Id] = (commit, core.Log.DigestAt(commit));
        }
        return new Report(logs.Count, steps.Count, mismatches, firstMismatch, safety.First, leaderChanges.Count, leaderChanges, finalCommits,
            CommittedCommands(cores));
    }

    /// <summary>(clientId, sequence) of every command in the longest committed prefix any replayed core reached.</summary>
    private static SortedSet<(long, long)> CommittedCommands(IEnumerable<RaftNode?> cores)
    {
        var best = cores.Where(c => c is not null).MaxBy(c => Math.Min(c!.CommitIndex, c.Log.LastIndex));
        var commands = new SortedSet<(long, long)>();
        if (best is null) return commands;
        // Commands compacted into a snapshot are no longer in the log: only the log after it is listed.
        for (var i = best.Log.FirstIndex; i <= Math.Min(best.CommitIndex, best.Log.LastIndex); i++)
        {
            var entry = best.Log.EntryAt(i);
            if (entry.Kind != Raft.Core.Log.EntryKind.Command) continue;
            var command = Raft.Core.StateMachine.KvCommand.Decode(entry.Command);
            commands.Add((command.ClientId, command.Sequence));
        }
        return commands;
    }
}
