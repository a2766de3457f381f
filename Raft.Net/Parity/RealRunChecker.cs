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

        /// <summary>
        /// Every entry some node applied, by index: the committed log as far as the run got, compacted
        /// parts included; empty unless asked for (<c>keepCommittedEntries</c>: it holds the whole log).
        /// </summary>
        public IReadOnlyDictionary<long, LogEntry> CommittedEntries { get; init; } = new Dictionary<long, LogEntry>();
    }

    /// <summary>Inputs parsed ahead of the replay, per log: bounds memory however long the run.</summary>
    private const int ParsedAheadPerLog = 4096;

    /// <summary>
    /// Replays and checks the input logs in <paramref name="nodeDirectories"/>. Memory: the inputs are
    /// streamed, a core lives only while its incarnation's log lasts, and what stays per committed
    /// entry is the safety checker's (see docs/bounds.md); with <paramref name="keepCommittedEntries"/>
    /// every committed entry is kept too, for <see cref="Report.CommittedEntries"/>.
    /// </summary>
    public static Report Check(IEnumerable<string> nodeDirectories, bool keepCommittedEntries = false)
    {
        var logs = nodeDirectories
            .SelectMany(dir => Directory.Exists(dir) ? Directory.GetFiles(dir, "inputs-*.ndjson") : [])
            .Order(StringComparer.Ordinal)
            .Select(InputLog.Open)
            .OfType<(InputLogHeader Header, InputLog.InputStream Inputs)>()
            .ToList();
        // Each log is parsed on a thread of its own, a bounded way ahead of the replay, which merges
        // them by time here: the replay (which must be sequential, for the safety checker sees all
        // nodes in one order) never waits for parsing it could have overlapped with.
        using var stop = new CancellationTokenSource();
        var readers = logs.Select(log => new ParsedAhead(log.Inputs, stop.Token)).ToList();
        try
        {
            return Replay(logs.Select(l => l.Header).ToList(), readers, keepCommittedEntries);
        }
        finally
        {
            stop.Cancel();
            foreach (var reader in readers) reader.Dispose();
        }
    }

    private static Report Replay(IReadOnlyList<InputLogHeader> headers, IReadOnlyList<ParsedAhead> readers, bool keepCommittedEntries)
    {
        // Every step of every incarnation in time order; equal times keep a fixed order (log, then
        // position), as a sort by (time, log, position) would, since each log's times never decrease.
        var next = new PriorityQueue<(int Log, int Index, RecordedInput Input), (long Time, int Log, int Index)>();
        for (var l = 0; l < readers.Count; l++)
            if (readers[l].TryTake(out var first)) next.Enqueue((l, 0, first), (first.TimeMicros, l, 0));

        var cores = new RaftNode?[headers.Count];
        var safety = new SafetyChecker(keepAppliedEntries: false); // a digest per applied index, not the entry: a long run's log would stay whole
        var mismatches = 0;
        var digest = new StepDigest();
        long stepsReplayed = 0;
        string? firstMismatch = null;
        var leaderChanges = new List<(long, NodeId, long)>();
        var finalCommits = new SortedDictionary<NodeId, (long, ulong)>();
        var committedCommands = new HashSet<(long, long)>();
        var committedEntries = new Dictionary<long, LogEntry>();
        while (next.TryDequeue(out var step, out _))
        {
            var (l, i, recorded) = step;
            var last = !readers[l].TryTake(out var following);
            if (!last) next.Enqueue((l, i + 1, following), (following.TimeMicros, l, i + 1));
            var time = recorded.TimeMicros;
            var header = headers[l];
            stepsReplayed++;
            if (cores[l] is null)
            {
                cores[l] = InputLog.CreateCore(header);
                safety.OnStart(cores[l]!, header.HardState, time);
            }
            var core = cores[l]!;
            var wasLeader = core.Role == Role.Leader;
            var output = core.Step(recorded.Input);
            if (digest.Of(output, core, header.DigestForm) != recorded.EffectsDigest)
            {
                mismatches++;
                firstMismatch ??= $"{header.Node} incarnation {header.Incarnation}, input {i + 1} ({recorded.Input})";
            }
            safety.AfterStep(core, output.Effects, time);
            // An applied entry is committed. Collected as they are applied, so entries later
            // compacted into a snapshot still count.
            foreach (var apply in output.Effects.OfType<ApplyEntry>())
            {
                if (keepCommittedEntries) committedEntries.TryAdd(apply.Entry.Index, apply.Entry); // the safety checker vouches that all nodes apply the same
                if (apply.Entry.Kind == EntryKind.Command)
                {
                    var command = KvCommand.Decode(apply.Entry.Command);
                    committedCommands.Add((command.ClientId, command.Sequence));
                }
            }
            if (!wasLeader && core.Role == Role.Leader) leaderChanges.Add((time, core.Id, core.Term));
            var commit = Math.Min(core.CommitIndex, core.Log.LastIndex);
            if (!finalCommits.TryGetValue(core.Id, out var known) || commit >= known.Item1)
                finalCommits[core.Id] = (commit, core.Log.DigestAt(commit));
            if (last) cores[l] = null; // the incarnation ended: its log (and the core's) can go
        }
        return new Report(headers.Count, stepsReplayed, mismatches, firstMismatch, safety.First, leaderChanges.Count, leaderChanges, finalCommits,
            committedCommands) { CommittedEntries = committedEntries };
    }

    /// <summary>One log's inputs, parsed on a thread of its own into a bounded queue; a parse error surfaces where the replay reaches it.</summary>
    private sealed class ParsedAhead : IDisposable
    {
        private readonly System.Collections.Concurrent.BlockingCollection<RecordedInput> parsed = new(ParsedAheadPerLog);
        private readonly InputLog.InputStream source;
        private readonly CancellationToken stop;
        private readonly Thread thread;
        private Exception? error;

        public ParsedAhead(InputLog.InputStream source, CancellationToken stop)
        {
            this.source = source;
            this.stop = stop;
            thread = new Thread(Parse) { IsBackground = true, Name = "input-log-parser" };
            thread.Start();
        }

        private void Parse()
        {
            try
            {
                foreach (var input in source) parsed.Add(input, stop);
            }
            catch (OperationCanceledException)
            {
                // the replay stopped early
            }
            catch (Exception e)
            {
                Volatile.Write(ref error, e);
            }
            finally
            {
                parsed.CompleteAdding();
            }
        }

        /// <summary>The next input, or false at the end of the log; rethrows a parse error met there.</summary>
        public bool TryTake(out RecordedInput input)
        {
            if (parsed.TryTake(out input!, Timeout.Infinite)) return true;
            if (Volatile.Read(ref error) is { } e) throw new InvalidDataException(e.Message, e);
            return false;
        }

        public void Dispose()
        {
            thread.Join();
            source.Dispose();
            parsed.Dispose();
        }
    }
}
