using System.Globalization;
using System.Text;
using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Core.StateMachine;

namespace Raft.Simulation.Scenarios;

/// <summary>
/// Runs scenario commands one at a time against a <see cref="ScenarioCluster"/> and returns the
/// text each produces. The commands are documented in scenarios/README.md. Mistakes in a command
/// throw <see cref="ScenarioException"/> at the offending word; an <c>expect</c> that does not hold
/// throws <see cref="ScenarioExpectationFailed"/>.
/// </summary>
public sealed partial class ScenarioInterpreter(TeachingBug? bugOverride = null)
{
    private const int DeliverLimit = 10_000;
    private const int RunUntilDefaultMax = 1_000;
    private readonly List<ScenarioCommand> history = [];
    private readonly List<string> trace = [];
    private List<string>? details;
    private readonly SortedDictionary<string, int> marks = new(StringComparer.Ordinal);
    private ScenarioCluster? cluster;
    private readonly Tracing.Trace runTrace = new(keepAll: true);

    /// <summary>Everything every cluster of this run did, in order (the viewer's input); rewinds continue its clock.</summary>
    public Tracing.Trace RunTrace => runTrace;
    private long nextSequence = 1;
    private long timeBase;

    /// <summary>The cluster, once a <c>cluster</c> command has made it.</summary>
    public ScenarioCluster? Cluster => cluster;

    public string Execute(ScenarioCommand command)
    {
        var report = new List<string>();
        details = null;
        try
        {
            if (command.Name == "mark") Mark(command);
            else if (command.Name == "rewind") Rewind(command, report);
            else if (command.Name == "trace") Trace(command, report);
            else
            {
                cluster?.RecordCommand(command.File, command.Line, command.Text);
                Dispatch(command, report);
                if (command.Name == "cluster") cluster?.RecordCommand(command.File, command.Line, command.Text);
                history.Add(command);
            }
        }
        catch (InvalidOperationException e)
        {
            throw new ScenarioExpectationFailed(command.File, command.Line, command.Tokens[0].Column, $"the core failed: {e.Message}");
        }
        var output = report.Count == 0 ? "ok" : string.Join('\n', report);
        if (command.Name != "trace")
        {
            trace.Add($"> {command.Text}");
            trace.Add(details is null ? output : string.Join('\n', details));
        }
        return output;
    }

    private void Dispatch(ScenarioCommand command, List<string> report)
    {
        var args = command.Arguments;
        if (command.Name == "cluster")
        {
            StartCluster(command, args, report);
            return;
        }
        var c = cluster ?? throw command.Error("the first command must be 'cluster nodes=N'");
        switch (command.Name)
        {
            case "log": PresetLog(command, c, args); break;
            case "campaign":
                Arity(command, args, 1, 1);
                c.Step(LiveNode(command, c, args[0]), Campaign.Instance, report);
                break;
            case "transfer":
                // transfer nK nT: ask nK (if it leads) to hand leadership to nT (thesis §3.10).
                Arity(command, args, 2, 2);
                c.Step(LiveNode(command, c, args[0]), new TransferLeadership(Node(command, c, args[1])), report);
                break;
            case "tick": Tick(command, c, args, report); break;
            case "propose":
                Arity(command, args, 2, int.MaxValue);
                Propose(c, LiveNode(command, c, args[0]), Encoding.UTF8.GetBytes(string.Join(' ', args.Skip(1))), report);
                break;
            case "put":
                Arity(command, args, 3, 3);
                Propose(c, LiveNode(command, c, args[0]),
                    new KvCommand(1, nextSequence++, KvOperation.Put, args[1].Text, args[2].Text).Encode(), report);
                break;
            case "get":
                // A read goes through the log like a write (§8): the leader answers once it applies it.
                Arity(command, args, 2, 2);
                Propose(c, LiveNode(command, c, args[0]),
                    new KvCommand(1, nextSequence++, KvOperation.Get, args[1].Text).Encode(), report);
                break;
            case "read":
                // A ReadIndex read (thesis §6.4): no log entry; the leader confirms it still leads first.
                Arity(command, args, 2, 2);
                var readId = c.Read(LiveNode(command, c, args[0]), args[1].Text, report);
                report.Insert(0, $"{args[0].Text} reads {args[1].Text} as read #{readId}");
                break;
            case "run-for": RunFor(command, c, args, report); break;
            case "run-until": RunUntil(command, c, args, report); break;
            case "deliver": Deliver(command, c, args, report); break;
            case "drop":
                foreach (var message in Select(command, c, args)) { c.Drop(message); report.Add($"{message}: dropped"); }
                break;
            case "duplicate":
                foreach (var message in Select(command, c, args)) report.Add($"{c.Duplicate(message)}: copy of {message.Number}");
                break;
            case "inflight":
                Arity(command, args, 0, 0);
                report.AddRange(c.InFlight.Select(m => m.ToString()));
                if (c.InFlight.Count == 0) report.Add("no messages in flight");
                break;
            case "partition": Partition(command, c, args, report); break;
            case "isolate":
                Arity(command, args, 1, 1);
                var isolated = Node(command, c, args[0]);
                foreach (var other in c.Members.Where(m => m != isolated)) c.Cut(isolated, other);
                break;
            case "heal": Arity(command, args, 0, 0); c.Heal(); break;
            case "crash":
                Arity(command, args, 1, 2);
                var victim = LiveNode(command, c, args[0]);
                if (args.Count == 1) c.Crash(victim);
                else if (args[1].Text == "after-send") c.CrashAfterSend(victim);
                else throw command.Error(args[1], "'crash nK' takes only 'after-send'");
                break;
            case "restart":
                Arity(command, args, 1, 1);
                var restarted = Node(command, c, args[0]);
                if (!c.IsCrashed(restarted)) throw command.Error(args[0], $"{restarted} is not crashed");
                c.Restart(restarted);
                var node = c.Node(restarted);
                report.Add($"{restarted} restarts as follower term={node.Term} vote={node.VotedFor?.ToString() ?? "-"} log={ScenarioView.DrawLog(node, 0)}");
                break;
            case "state": Arity(command, args, 0, 0); report.AddRange(ScenarioView.StateTable(c)); break;
            case "log-of":
                Arity(command, args, 1, 1);
                var shown = c.Node(Node(command, c, args[0]));
                if (shown.LatestSnapshot is { } snapshot)
                    report.Add($"1..{snapshot.LastIncludedIndex} in the snapshot (up to {snapshot.LastIncludedIndex}@{snapshot.LastIncludedTerm}, {snapshot.Metadata.Configuration})");
                for (var i = shown.Log.FirstIndex; i <= shown.Log.LastIndex; i++)
                    report.Add($"{i}@{shown.Log.TermAt(i)}{LogOfKind(shown.Log.EntryAt(i))}{(i <= shown.CommitIndex ? " committed" : "")}");
                if (shown.Log.LastIndex == 0) report.Add("empty log");
                break;
            case "messages":
                // messages [reset]: how many messages were sent (by kind), delivered and lost since the start or the last reset.
                Arity(command, args, 0, 1);
                if (args.Count == 1 && args[0].Text != "reset") throw command.Error(args[0], "'messages' takes only 'reset'");
                report.Add($"sent {c.SentByKind.Values.Sum()} ({(c.SentByKind.Count == 0 ? "none" : string.Join(", ", c.SentByKind.Select(k => $"{k.Key} {k.Value}")))}), delivered {c.Delivered}, lost {c.Lost}");
                if (args.Count == 1) c.ResetCounts();
                break;
            case "add": ChangeMembership(command, c, args, MembershipChangeKind.AddVoter, report); break;
            case "add-learner": ChangeMembership(command, c, args, MembershipChangeKind.AddLearner, report); break;
            case "remove": ChangeMembership(command, c, args, MembershipChangeKind.Remove, report); break;
            case "compact": Compact(command, c, args, report); break;
            case "put-many": PutMany(command, c, args, report); break;
            case "expect":
                if (ScenarioExpectations.Check(command, c, args) is { } verdict) report.Add(verdict);
                break;
            default: throw command.Error($"unknown command '{command.Name}'");
        }
    }

    /// <summary><c>trace</c>: every command since the last <c>trace</c> (or the start) with everything it did, in full.</summary>
    private void Trace(ScenarioCommand command, List<string> report)
    {
        Arity(command, command.Arguments, 0, 0);
        report.AddRange(trace);
        if (trace.Count == 0) report.Add("nothing happened since the last trace");
        trace.Clear();
    }

    /// <summary><c>run-for N</c>: N rounds of one tick to every live node, each followed by delivering every message.</summary>
    private void RunFor(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        Arity(command, args, 1, 1);
        var rounds = Number(command, args[0], args[0].Text, 1, 100_000);
        var run = new ScenarioRunningTime(c);
        for (var round = 1; round <= rounds; round++) run.Round(command, DeliverLimit);
        report.AddRange(run.Summary());
        details = run.Details;
    }

    /// <summary>
    /// <c>run-until leader [nK] | committed I [on nA ...] [max N]</c>: rounds as in <c>run-for</c> until
    /// the condition holds (checked before each round); a failed expectation after N rounds.
    /// </summary>
    private void RunUntil(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        var words = args.ToList();
        var max = RunUntilDefaultMax;
        if (words.Count >= 2 && words[^2].Text == "max")
        {
            max = Number(command, words[^1], words[^1].Text, 1, 100_000);
            words.RemoveRange(words.Count - 2, 2);
        }
        if (words.Count == 0) throw command.Error("run until what? 'leader [nK]' or 'committed I [on nA nB ...]'");
        Func<bool> holds;
        string goal, missing;
        switch (words[0].Text)
        {
            case "leader":
                // run-until leader [nK]: some node (or nK) leads, followed by a majority of its voters.
                Arity(command, words, 1, 2);
                Core.NodeId? wanted = words.Count == 2 ? Node(command, c, words[1]) : null;
                holds = () => ScenarioRunningTime.CurrentLeader(c) is { } leader && (wanted is null || leader == wanted);
                goal = wanted is null ? "a leader" : $"{wanted} leads";
                missing = wanted is null ? "no leader" : $"{wanted} does not lead";
                break;
            case "committed":
                if (words.Count < 2) throw command.Error(words[0], "'run-until committed' needs an index");
                var index = Number(command, words[1], words[1].Text, 0, int.MaxValue);
                var nodes = c.LiveMembers().ToList();
                if (words.Count > 2)
                {
                    if (words[2].Text != "on" || words.Count == 3) throw command.Error(words[2], "write 'on' and the nodes, e.g. committed 3 on n1 n2");
                    nodes = words.Skip(3).Select(t => Node(command, c, t)).ToList();
                }
                holds = () => nodes.All(id => !c.IsCrashed(id) && c.Node(id).CommitIndex >= index);
                goal = $"commit index {index} on {string.Join(' ', nodes)}";
                missing = $"commit index {index} not reached on {string.Join(' ', nodes)}";
                break;
            default:
                throw command.Error(words[0], $"unknown condition '{words[0].Text}' (leader [nK], committed I [on nA ...])");
        }
        var run = new ScenarioRunningTime(c);
        while (!holds())
        {
            if (run.Rounds == max)
                throw new ScenarioExpectationFailed(command.File, command.Line, command.Tokens[0].Column, $"{missing} after {max} ticks");
            run.Round(command, DeliverLimit);
        }
        var named = words[0].Text == "leader" && words.Count == 1 ? $": {ScenarioRunningTime.CurrentLeader(c)}" : "";
        report.Add($"{goal} after {run.Rounds} tick{(run.Rounds == 1 ? "" : "s")}{named}");
        report.AddRange(run.Summary().Skip(1));
        details = run.Details;
    }

    /// <summary><c>mark NAME</c>: remember this point of the story so that <c>rewind NAME</c> can come back to it.</summary>
    private void Mark(ScenarioCommand command)
    {
        Arity(command, command.Arguments, 1, 1);
        if (cluster is null) throw command.Error("set up the cluster before marking a point");
        marks[command.Arguments[0].Text] = history.Count;
    }

    /// <summary>
    /// <c>rewind NAME</c>: go back to a mark to tell another ending. The run is deterministic, so
    /// replaying the commands up to the mark on a fresh cluster recreates that state exactly.
    /// </summary>
    private void Rewind(ScenarioCommand command, List<string> report)
    {
        Arity(command, command.Arguments, 1, 1);
        var name = command.Arguments[0];
        if (!marks.TryGetValue(name.Text, out var count)) throw command.Error(name, $"no mark '{name.Text}' before this line");
        var replay = history.Take(count).ToArray();
        // Marks set after this one name points of the abandoned ending.
        foreach (var later in marks.Where(m => m.Value > count).Select(m => m.Key).ToArray()) marks.Remove(later);
        history.Clear();
        trace.Clear();
        timeBase = cluster is null ? 0 : cluster.Now + 1;
        cluster?.RecordCommand(command.File, command.Line, $"{command.Text}: replaying {replay.Length} commands on a fresh cluster");
        cluster = null;
        nextSequence = 1;
        foreach (var earlier in replay)
        {
            Dispatch(earlier, []);
            history.Add(earlier);
        }
        report.Add($"back at mark {name.Text}: replayed {replay.Length} commands on a fresh cluster");
    }

    private void StartCluster(ScenarioCommand command, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        if (cluster is not null)
        {
            // A second 'cluster' starts another story in the same file (e.g. the same events with an option on); marks name points of the first.
            cluster = null;
            history.Clear();
            marks.Clear();
            nextSequence = 1;
        }
        var size = 0;
        var spares = 0;
        var options = new RaftOptions();
        var ownBug = false;
        foreach (var arg in args)
        {
            var (key, value) = KeyValue(command, arg);
            switch (key)
            {
                case "nodes": size = Number(command, arg, value, 1, 9); break;
                case "spares": spares = Number(command, arg, value, 0, 8); break;
                case "snapshot-chunk": options = options with { MaxSnapshotChunkBytes = Number(command, arg, value, 1, 1 << 20) }; break;
                case "election": options = options with { ElectionTicks = Number(command, arg, value, 2, 1000) }; break;
                case "heartbeat": options = options with { HeartbeatTicks = Number(command, arg, value, 1, 1000) }; break;
                case "max-append": options = options with { MaxEntriesPerAppend = Number(command, arg, value, 1, 1000) }; break;
                case "bug": options = options with { Bug = Bug(command, arg, value) }; ownBug = true; break;
                case "prevote": options = options with { PreVote = OnOff(command, arg, value) }; break;
                case "check-quorum": options = options with { CheckQuorum = OnOff(command, arg, value) }; break;
                case "lease": options = options with { LeaseReads = OnOff(command, arg, value) }; break;
                default: throw command.Error(arg, $"unknown cluster option '{key}' (nodes, spares, election, heartbeat, max-append, snapshot-chunk, bug, prevote, check-quorum, lease)");
            }
        }
        if (size == 0) throw command.Error("cluster needs nodes=N");
        if (size + spares > 9) throw command.Error("at most 9 servers, spares included");
        // A story that names its own bug= was written to show that bug, so it keeps it: an override
        // (check --bug, "which stories catch this bug?") applies to the stories told on the correct
        // core. The file's own bug= shows in the output; an override must not, so that only the story can differ.
        var bugShown = options.Bug;
        if (bugOverride is { } bug && !ownBug) options = options with { Bug = bug };
        try
        {
            cluster = new ScenarioCluster(size, options, spares, runTrace, timeBase);
        }
        catch (ArgumentException e)
        {
            throw command.Error(e.Message);
        }
        var spareText = spares == 0 ? "" : $" and {spares} spare{(spares == 1 ? "" : "s")} {string.Join(' ', cluster.Members.Skip(size))} (not members yet)";
        report.Add($"{size} nodes n1..n{size}{spareText}, election timeouts {string.Join(' ', cluster.Members.Select(m => $"{m}={options.ElectionTicks + m.Value - 1}"))} ticks, heartbeat {options.HeartbeatTicks}{(options.PreVote ? ", prevote" : "")}{(options.CheckQuorum ? ", check-quorum" : "")}{(options.LeaseReads ? ", lease reads" : "")}{(options.MaxSnapshotChunkBytes == new RaftOptions().MaxSnapshotChunkBytes ? "" : $", snapshot chunks of {options.MaxSnapshotChunkBytes} bytes")}{(bugShown == TeachingBug.None ? "" : $", BUG {Kebab(bugShown)}")}");
    }

    private static void PresetLog(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args)
    {
        Arity(command, args, 2, int.MaxValue);
        if (c.Started) throw command.Error("logs can only be preset before the first step");
        var id = Node(command, c, args[0]);
        var (key, value) = KeyValue(command, args[1]);
        if (key != "term") throw command.Error(args[1], "expected term=T after the node");
        var term = Number(command, args[1], value, 0, 1_000_000);
        // An optional last token commit=C: the story states that entries 1..C are committed.
        var hasCommit = args.Count > 2 && args[^1].Text.StartsWith("commit=", StringComparison.Ordinal);
        var termTokens = args.Skip(2).Take(args.Count - 2 - (hasCommit ? 1 : 0)).ToList();
        var terms = termTokens.Select(t => (long)Number(command, t, t.Text, 1, term)).ToArray();
        for (var i = 1; i < terms.Length; i++)
            if (terms[i] < terms[i - 1]) throw command.Error(termTokens[i], "terms in a log never decrease");
        var committed = hasCommit ? Number(command, args[^1], KeyValue(command, args[^1]).Value, 0, terms.Length) : 0;
        c.PresetLog(id, term, terms, committed);
    }

    private static void Tick(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        var targets = new List<Core.NodeId>();
        var count = 1;
        for (var i = 0; i < args.Count; i++)
        {
            if (i == args.Count - 1 && args[i].Text.All(char.IsAsciiDigit)) count = Number(command, args[i], args[i].Text, 1, 10_000);
            else targets.Add(LiveNode(command, c, args[i]));
        }
        if (targets.Count == 0) targets.AddRange(c.Members.Where(m => !c.IsCrashed(m)));
        for (var round = 0; round < count; round++)
            foreach (var id in targets) c.Step(id, Raft.Core.Inputs.Tick.Instance, report);
    }

    private static void Propose(ScenarioCluster c, Core.NodeId id, byte[] command, List<string> report)
    {
        var output = c.Step(id, new Propose(command), report);
        var outcome = output.Proposal!;
        report.Insert(0, outcome.Accepted
            ? $"{id} accepts the proposal at {outcome.Index}@{outcome.Term}"
            : outcome.Refusal == ProposeRefusal.LeadershipTransferInProgress
                ? $"{id} refuses the proposal: leadership transfer in progress"
                : $"{id} refuses the proposal: not leader (leader hint {outcome.LeaderHint?.ToString() ?? "-"})");
    }

    private static void Deliver(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        if (args.Count == 0 || (args.Count == 1 && args[0].Text == "all"))
        {
            // Until the network is quiet, oldest message first, including the messages that deliveries cause.
            for (var i = 0; c.InFlight.Count > 0; i++)
            {
                if (i == DeliverLimit) throw command.Error($"still {c.InFlight.Count} messages in flight after {DeliverLimit} deliveries");
                c.Deliver(c.InFlight[0], report);
            }
            return;
        }
        foreach (var message in Select(command, c, args)) c.Deliver(message, report);
    }

    /// <summary>Messages named by <c>next</c>, <c>all</c>, <c>nA->nB</c>, <c>to=nB</c>, <c>from=nA</c> or their numbers: word by word, each word's matches in sending order.</summary>
    private static IReadOnlyList<InFlightMessage> Select(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args)
    {
        if (args.Count == 0) throw command.Error("say which messages: all, next, nA->nB, to=nB, from=nA or message numbers");
        // In the order the words name them (so "deliver 14 12" reorders), each message once.
        var chosen = new List<InFlightMessage>();
        foreach (var arg in args)
        {
            var text = arg.Text;
            if (MistakenSelector(text) is { } mistake) throw command.Error(arg, mistake);
            IEnumerable<InFlightMessage> matches;
            if (text == "all") matches = c.InFlight;
            else if (text == "next") matches = c.InFlight.Take(1);
            else if (text.Contains("->", StringComparison.Ordinal))
            {
                var parts = text.Split("->");
                var from = Node(command, c, arg, parts[0]);
                var to = Node(command, c, arg, parts[1]);
                matches = c.InFlight.Where(m => m.Message.From == from && m.Message.To == to);
            }
            else if (text.StartsWith("to=", StringComparison.Ordinal))
            {
                var to = Node(command, c, arg, text[3..]);
                matches = c.InFlight.Where(m => m.Message.To == to);
            }
            else if (text.StartsWith("from=", StringComparison.Ordinal))
            {
                var from = Node(command, c, arg, text[5..]);
                matches = c.InFlight.Where(m => m.Message.From == from);
            }
            else
            {
                var number = Number(command, arg, text, 1, int.MaxValue);
                matches = c.InFlight.Where(m => m.Number == number);
                if (!matches.Any()) throw command.Error(arg, $"no message {number} in flight");
            }
            foreach (var m in matches)
                if (!chosen.Contains(m)) chosen.Add(m);
        }
        return chosen;
    }

    /// <summary>
    /// Why a word cannot name messages, with the right way to write it (<c>deliver from n1</c> means
    /// <c>from=n1</c>), or null when its shape is right (its node or number is checked where it is used).
    /// </summary>
    private static string? MistakenSelector(string text)
    {
        if (text is "from" or "to") return $"write {text}=nK as one word, e.g. '{text}=n1'";
        if (text is "from=" or "to=") return $"write the node right after '=', e.g. '{text}n1'";
        if (text.Contains("->", StringComparison.Ordinal))
            return text.Split("->") is [{ Length: > 0 }, { Length: > 0 }] ? null : "write nA->nB as one word, e.g. 'n1->n2'";
        if (text.Length > 1 && text[0] == 'n' && text[1..].All(char.IsAsciiDigit))
            return $"'{text}' alone names no messages: write from={text}, to={text} or {text}->nB";
        if (text is "all" or "next" || text.StartsWith("to=", StringComparison.Ordinal) || text.StartsWith("from=", StringComparison.Ordinal) || text.All(char.IsAsciiDigit))
            return null;
        return $"'{text}' names no messages: write all, next, nA->nB, to=nB, from=nA or message numbers";
    }

    private static void Partition(ScenarioCommand command, ScenarioCluster c, IReadOnlyList<ScenarioToken> args, List<string> report)
    {
        var groups = new List<List<Core.NodeId>> { new() };
        foreach (var arg in args)
        {
            if (arg.Text == "|") groups.Add([]);
            else groups[^1].Add(Node(command, c, arg));
        }
        if (groups.Count < 2 || groups.Any(g => g.Count == 0)) throw command.Error("write the groups apart with '|', e.g. partition n1 n2 | n3 n4 n5");
        for (var a = 0; a < groups.Count; a++)
            for (var b = a + 1; b < groups.Count; b++)
                foreach (var x in groups[a])
                    foreach (var y in groups[b]) c.Cut(x, y);
        report.Add(string.Join(" | ", groups.Select(g => string.Join(' ', g))));
    }

    internal static void Arity(ScenarioCommand command, IReadOnlyList<ScenarioToken> args, int min, int max)
    {
        if (args.Count < min) throw command.Error($"'{command.Name}' needs {(min == max ? $"{min}" : $"at least {min}")} argument{(min == 1 ? "" : "s")}");
        if (args.Count > max) throw command.Error(args[max], $"'{command.Name}' takes {(max == 0 ? "no" : $"at most {max}")} argument{(max == 1 ? "" : "s")}");
    }

    internal static Core.NodeId Node(ScenarioCommand command, ScenarioCluster c, ScenarioToken token) =>
        Node(command, c, token, token.Text);

    internal static Core.NodeId Node(ScenarioCommand command, ScenarioCluster c, ScenarioToken token, string text)
    {
        if (!text.StartsWith('n') || !Core.NodeId.TryParse(text, out var id) || !c.Members.Contains(id))
            throw command.Error(token, $"'{text}' is not a node (n1..n{c.Members.Count})");
        return id;
    }

    internal static Core.NodeId LiveNode(ScenarioCommand command, ScenarioCluster c, ScenarioToken token)
    {
        var id = Node(command, c, token);
        if (c.IsCrashed(id)) throw command.Error(token, $"{id} is crashed");
        return id;
    }

    internal static int Number(ScenarioCommand command, ScenarioToken token, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw command.Error(token, $"'{text}' is not a number in [{min}, {max}]");
        return (int)value;
    }

    /// <summary>Whether <paramref name="command"/> is a <c>cluster</c> line that names its own <c>bug=</c>, which an override does not replace.</summary>
    public static bool NamesItsOwnBug(ScenarioCommand command) =>
        command.Name == "cluster" && command.Arguments.Any(a => a.Text.StartsWith("bug=", StringComparison.Ordinal));

    private static (string Key, string Value) KeyValue(ScenarioCommand command, ScenarioToken token)
    {
        var equals = token.Text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0) throw command.Error(token, $"expected key=value, not '{token.Text}'");
        return (token.Text[..equals], token.Text[(equals + 1)..]);
    }

    private static bool OnOff(ScenarioCommand command, ScenarioToken token, string value) => value switch
    {
        "on" => true,
        "off" => false,
        _ => throw command.Error(token, $"'{value}' is not on or off"),
    };

    private static TeachingBug Bug(ScenarioCommand command, ScenarioToken token, string value)
    {
        foreach (var bug in Enum.GetValues<TeachingBug>())
            if (Kebab(bug) == value) return bug;
        throw command.Error(token, $"unknown bug '{value}' ({string.Join(", ", Enum.GetValues<TeachingBug>().Select(Kebab))})");
    }

    public static string Kebab(TeachingBug bug) => Cli.RunOptionSet.Kebab(bug.ToString());
}
