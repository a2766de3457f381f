using System.CommandLine;
using System.Globalization;
using Raft.Core;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Net.Hosting;
using Raft.Net.StateMachine;
using Raft.Simulation.Cli;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net node</c>: one real Raft server. Reads operator commands on stdin
/// (<c>cut n2</c>, <c>restore n2</c>, <c>heal</c>, <c>campaign</c>, <c>transfer n2</c>, <c>status</c>, <c>quit</c>,
/// and on the leader the membership changes <c>add n4</c>, <c>add-learner n4</c>, <c>remove n2</c>, each answered
/// on stdout with a line that starts with the command); exits when stdin closes, so a dead launcher leaves no orphans.
/// Exit codes: 0 after <c>quit</c> or the end of stdin, 2 for bad arguments, <see cref="NodeFault.ExitCode"/> when the node
/// stopped itself on a fault (fail-stop, one line on stderr says why) or refused to start on damaged storage.
/// A key file (<c>--curve</c>) that cannot be used is a bad argument: one line names the file, exit code 2.
/// </summary>
public static class NodeCommand
{
    /// <summary>
    /// A node's default <see cref="RaftOptions.MaxInflightAppends"/>: one AppendEntries with entries in
    /// flight per follower, the entries that arrive meanwhile going in the next. On 2 cores, 32 clients,
    /// 10 s, it committed 12-45% more than pipelining 8 in three alternating pairs, with a lower p99;
    /// at 128 clients the two were even (docs/performance.md, "Real cluster"). The simulator keeps the
    /// core's default of 8.
    /// </summary>
    public const int DefaultMaxInflight = 1;

    public static Command Create()
    {
        var id = new Option<int>("--id") { Description = "This node's id (1..n).", Required = true };
        var peers = new Option<string?>("--peers") { Description = "Address book: the server address of every server that may ever be a member: 1=tcp://127.0.0.1:7001,2=... (with --discover: optional, it grows as peers are found)." };
        var members = new Option<string?>("--members") { Description = "The voters the cluster starts with, e.g. 1,2,3 (default: every server in --peers)." };
        var join = new Option<string?>("--join")
        {
            Description = "Start with no configuration and wait to be added by the leader (add / add-learner). With --discover, give the contacts to announce to: --join tcp://127.0.0.1:7001[,...].",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var discovery = new DiscoveryOptionSet();
        var client = new Option<string>("--client") { Description = "Address for key-value clients, e.g. tcp://127.0.0.1:8001.", Required = true };
        var data = new Option<string>("--data") { Description = "Data directory (log, hard state, input logs).", Required = true };
        var cluster = new Option<string>("--cluster-id") { Description = "Cluster id; frames from other clusters are dropped.", DefaultValueFactory = _ => "raft" };
        var tick = new Option<string>("--tick") { Description = "Tick interval, e.g. 10ms.", DefaultValueFactory = _ => "10ms" };
        var election = new Option<int>("--election-ticks") { Description = "Base election timeout in ticks.", DefaultValueFactory = _ => 10 };
        var heartbeat = new Option<int>("--heartbeat-ticks") { Description = "Heartbeat interval in ticks.", DefaultValueFactory = _ => 2 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the election-timeout jitter.", DefaultValueFactory = _ => 1 };
        var noFsync = new Option<bool>("--no-fsync") { Description = "Do not fsync (fast, not crash-safe)." };
        var logReads = new Option<bool>("--log-reads") { Description = "Serve gets through the log like writes instead of with ReadIndex (thesis §6.4)." };
        var serialPersist = new Option<bool>("--serial-persist") { Description = "A leader sends new entries only once its own copy is synced, instead of writing in parallel with the followers (thesis §10.2.1)." };
        var maxInflight = new Option<int>("--max-inflight")
        {
            Description = "AppendEntries carrying entries in flight to each follower at once. The default 1 sends what arrives meanwhile in the next one, which on a busy machine commits more per second than pipelining (docs/performance.md); more pipelines, for long round trips.",
            DefaultValueFactory = _ => DefaultMaxInflight,
        };
        maxInflight.Require(n => n >= 1, "--max-inflight must be at least 1.");
        var snapshotEvery = new Option<int>("--snapshot-every") { Description = "Snapshot the state machine and compact the log every N applied entries (§7); 0 = never." };
        var store = StoreOption();
        var curve = CurveOption();
        snapshotEvery.Require(n => n >= 0, "--snapshot-every must not be negative.");

        var command = new Command("node", "Run one Raft server over NetMQ with a durable log.")
        {
            id, peers, members, join, client, data, cluster, tick, election, heartbeat, seed, noFsync, snapshotEvery, store, logReads, serialPersist, maxInflight, curve,
        };
        foreach (var option in discovery.All) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            discovery.Validate(result, id, peers, members, join);
            if (result.GetValue(curve) is not null && result.GetValue(discovery.Discover))
                result.AddError("--curve excludes --discover: a join contact is an address without a known server, so there is no public key to expect from it (docs/security.md)");
            if (result.GetValue(peers) is { } p && ParsePeers(p) is null) result.AddError($"--peers: '{p}' is not a list like 1=tcp://127.0.0.1:7001,2=tcp://127.0.0.1:7002");
            if (result.GetValue(tick) is { } t && ParseMillis(t) is null) result.AddError($"--tick: '{t}' is not a duration like 10ms");
            if (result.GetValue(peers) is { } p2 && ParsePeers(p2) is { } parsed && !parsed.ContainsKey(new NodeId(result.GetValue(id))) && !result.GetValue(discovery.Discover))
                result.AddError($"--id {result.GetValue(id)} is not among --peers");
            if (result.GetValue(members) is { } m)
            {
                if (result.GetResult(join) is not null) result.AddError("--members and --join exclude each other: a joining server starts with no members");
                else if (ParseMembers(m) is not { } voters) result.AddError($"--members: '{m}' is not a list like 1,2,3");
                else if (result.GetValue(peers) is { } p3 && ParsePeers(p3) is { } book && voters.FirstOrDefault(v => !book.ContainsKey(v)) is { Value: > 0 } unknown)
                    result.AddError($"--members: {unknown} is not among --peers");
                else if (!voters.Contains(new NodeId(result.GetValue(id))))
                    result.AddError($"--members must include --id {result.GetValue(id)} (use --join for a server to be added later)");
            }
        });
        command.SetAction(parse =>
        {
            var self = new NodeId(parse.GetValue(id));
            var discover = discovery.Read(parse, join);
            var book = parse.GetValue(peers) is { } p ? ParsePeers(p)! : [];
            if (parse.GetValue(discovery.RaftAddress) is { } own) book[self] = own;
            Security.CurveCredentials? credentials = null;
            if (parse.GetValue(curve) is { } keys)
            {
                try
                {
                    credentials = Security.CurveCredentials.Load(keys, self);
                    if (book.Keys.FirstOrDefault(server => !credentials.PublicKeys.ContainsKey(server)) is { Value: > 0 } keyless)
                        throw new Security.KeyFileException(Security.KeyFiles.PublicKeysPath(keys), $"has no key for {keyless}, which is in --peers");
                }
                catch (Security.KeyFileException e)
                {
                    Console.Error.WriteLine($"raft-net node: {e.Message}");
                    return 2;
                }
            }
            var config = new NodeConfig
            {
                Id = self,
                RaftAddresses = book,
                InitialVoters = discover is not null ? DiscoveryOptionSet.InitialVoters(self, parse.GetValue(discovery.Bootstrap), parse.GetValue(members) is { } dm ? ParseMembers(dm) : null)
                    : parse.GetResult(join) is not null ? [] : parse.GetValue(members) is { } m ? ParseMembers(m) : null,
                Discovery = discover,
                ClientAddress = parse.GetValue(client)!,
                DataDirectory = parse.GetValue(data)!,
                ClusterId = parse.GetValue(cluster)!,
                TickInterval = TimeSpan.FromMilliseconds(ParseMillis(parse.GetValue(tick)!)!.Value),
                Options = new RaftOptions
                {
                    ElectionTicks = parse.GetValue(election), HeartbeatTicks = parse.GetValue(heartbeat), LeaderPersistsInParallel = !parse.GetValue(serialPersist),
                    MaxInflightAppends = parse.GetValue(maxInflight),
                    // Discovery removes silent servers, which may still be running: PreVote and CheckQuorum keep them from disrupting the cluster (§4.2.3).
                    PreVote = discover is not null, CheckQuorum = discover is not null,
                },
                Seed = parse.GetValue(seed),
                Fsync = !parse.GetValue(noFsync),
                SnapshotEveryEntries = parse.GetValue(snapshotEvery),
                Store = ParseStore(parse.GetValue(store)!),
                ReadIndexReads = !parse.GetValue(logReads),
                Curve = credentials,
            };
            return Run(config);
        });
        return command;
    }

    private static int Run(NodeConfig config)
    {
        using var host = new NodeHost(config);
        return Run(host, Console.In, Console.Out, Console.Error);
    }

    /// <summary>
    /// Starts <paramref name="host"/> and serves operator commands from <paramref name="commands"/>
    /// until they end or <c>quit</c> (exit code 0), or until the host stops itself on a fault: then
    /// one line on <paramref name="errors"/> names the input and the exception, and the exit code is
    /// <see cref="NodeFault.ExitCode"/> (a reader blocked on stdin does not keep the process alive).
    /// </summary>
    internal static int Run(NodeHost host, TextReader commands, TextWriter output, TextWriter errors)
    {
        try
        {
            host.Start();
        }
        catch (InvalidDataException e)
        {
            // Damaged storage: starting anyway could lose or invent what this node promised.
            errors.WriteLine($"raft-net node: cannot start: {e.Message}");
            return NodeFault.ExitCode;
        }
        var operatorDone = Task.Factory.StartNew(() => ServeOperator(host, commands, output, errors), TaskCreationOptions.LongRunning);
        Task.WaitAny(operatorDone, host.Faulted);
        if (!host.Faulted.IsCompleted) return 0;
        errors.WriteLine($"raft-net node: {host.Faulted.Result}");
        return NodeFault.ExitCode;
    }

    private static void ServeOperator(NodeHost host, TextReader commands, TextWriter output, TextWriter errors)
    {
        string? line;
        while ((line = commands.ReadLine()) is not null)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            switch (words[0])
            {
                case "quit": return;
                case "heal": host.UnblockAll(); break;
                case "campaign": host.Campaign(); break;
                case "transfer" when words.Length == 2 && NodeId.TryParse(words[1], out var target): host.TransferLeadership(target); break;
                case "cut" when words.Length == 2 && NodeId.TryParse(words[1], out var peer): host.Block(peer); break;
                case "restore" when words.Length == 2 && NodeId.TryParse(words[1], out var peer): host.Unblock(peer); break;
                case "status": output.WriteLine(host.Metrics); break;
                case "add" or "add-learner" or "remove" when words.Length == 2 && NodeId.TryParse(words[1], out var server):
                    output.WriteLine($"{line.Trim()}: {ChangeMembership(host, words[0], server)}");
                    break;
                default: errors.WriteLine($"raft-net node: unknown command '{line}'"); break;
            }
        }
    }

    /// <summary>Asks the host for a membership change and words its answer for the operator.</summary>
    private static string ChangeMembership(NodeHost host, string verb, NodeId server)
    {
        var kind = verb switch
        {
            "add" => MembershipChangeKind.AddVoter,
            "add-learner" => MembershipChangeKind.AddLearner,
            _ => MembershipChangeKind.Remove,
        };
        var answer = host.ChangeMembership(kind, server);
        if (!answer.Wait(TimeSpan.FromSeconds(5))) return "no answer (the node is not running)";
        return answer.Result switch
        {
            { Accepted: true, Index: 0 } => $"accepted: {server} is promoted to voter once it has caught up",
            { Accepted: true } a => $"accepted at index {a.Index} (term {a.Term})",
            { Refusal: ProposeRefusal.NotLeader, LeaderHint: { } leader } => $"not leader, leader is {leader}",
            { Refusal: ProposeRefusal.NotLeader } => "not leader, leader unknown",
            var refused => $"refused: {refused.Refusal}",
        };
    }

    /// <summary><c>--store memory|sqlite</c>, shared by <c>node</c> and <c>cluster</c>.</summary>
    public static Option<string> StoreOption()
    {
        var store = new Option<string>("--store")
        {
            Description = "Where the key-value state lives: memory (rebuilt from the log at each start) or sqlite (a database in the data directory that survives restarts).",
            DefaultValueFactory = _ => "memory",
        };
        store.AcceptOnlyFromAmong("memory", "sqlite");
        return store;
    }

    /// <summary><c>--curve DIR</c>, shared by <c>node</c>, <c>cluster</c> and <c>bench</c> (there without a value: the keys are generated).</summary>
    private static Option<string?> CurveOption() => new("--curve")
    {
        HelpName = "DIR",
        Description = "Encrypt and authenticate server-to-server traffic with CurveZMQ: read this server's key pair from DIR/nID.key and every server's public key from DIR/public-keys (raft-net keys writes them). Frames from servers without a known key are refused and counted.",
    };

    public static StoreKind ParseStore(string text) => text == "sqlite" ? StoreKind.Sqlite : StoreKind.Memory;

    /// <summary>A list of node ids such as <c>1,2,3</c> or <c>n1,n2,n3</c>; null when malformed or empty.</summary>
    public static NodeId[]? ParseMembers(string text)
    {
        var result = new List<NodeId>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!NodeId.TryParse(part, out var node) || result.Contains(node)) return null;
            result.Add(node);
        }
        return result.Count is > 0 and <= Configuration.MaxMembers ? [.. result.Order()] : null;
    }

    public static SortedDictionary<NodeId, string>? ParsePeers(string text)
    {
        var result = new SortedDictionary<NodeId, string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2 || !NodeId.TryParse(kv[0], out var node) || !kv[1].StartsWith("tcp://", StringComparison.Ordinal)) return null;
            result[node] = kv[1];
        }
        return result.Count > 0 ? result : null;
    }

    public static double? ParseMillis(string text) =>
        text.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(text[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms > 0 ? ms : null;
}
