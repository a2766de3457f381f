using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Node;
using Raft.Core.StateMachine;
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
        var committedCommands = new SortedSet<(long, long)>();
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
            // An applied entry is committed. Collected as they are applied, so entries later
            // compacted into a snapshot still count.
            foreach (var apply in output.Effects.OfType<ApplyEntry>())
                if (apply.Entry.Kind == EntryKind.Command)
                {
                    var command = KvCommand.Decode(apply.Entry.Command);
                    committedCommands.Add((command.ClientId, command.Sequence));
                }
            if (!wasLeader && core.Role == Role.Leader) leaderChanges.Add((time, core.Id, core.Term));
            var commit = Math.Min(core.CommitIndex, core.Log.LastIndex);
            if (!finalCommits.TryGetValue(core.Id, out var known) || commit >= known.Item1)
                finalCommits[core.Id] = (commit, core.Log.DigestAt(commit));
        }
        return new Report(logs.Count, steps.Count, mismatches, firstMismatch, safety.First, leaderChanges.Count, leaderChanges, finalCommits,
            committedCommands);
    }
}
