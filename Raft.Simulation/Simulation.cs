using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.StateMachine;
using Raft.Simulation.Checkers;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Clients;
using Raft.Simulation.Faults;
using Raft.Simulation.History;
using Raft.Simulation.Network;
using Raft.Simulation.Nodes;
using Raft.Simulation.Scheduling;
using Raft.Simulation.Tracing;

namespace Raft.Simulation;

/// <summary>
/// A deterministic run of a Raft cluster: virtual time, a faulty network, crashing nodes with
/// simulated disks, key-value clients, safety checks after every step, and a trace. Everything
/// random comes from one seed, split into independent streams per purpose.
/// </summary>
public sealed partial class Simulation
{
    private const ulong NetworkStream = 1, FaultStream = 2, ClientNetworkStream = 3, ClockStream = 4, MembershipStream = 5, NodeStreamBase = 100, ClientStreamBase = 300;

    private readonly SimulationOptions options;
    private readonly Func<NodeSpec, IRaftNode> nodeFactory;
    private readonly Func<IKeyValueStore> storeFactory;
    private readonly EventQueue<SimEvent> queue = new();
    private readonly SortedDictionary<NodeId, SimNode> nodes = [];
    private readonly List<SimNode> nodesInOrder = []; // nodes' values, by id: loops over them allocate nothing (a SortedDictionary's enumerator does)
    private readonly List<IRaftNode> upCores = []; // scratch for LeaderNow
    private readonly Func<NodeId, NodeId, IRaftNode?> reachableVoter; // LeaderNow's question, made once
    private readonly SortedDictionary<NodeId, SplitMix64> nodeRandom = [];
    private readonly List<SimClient> clients = [];
    private readonly SplitMix64 clientNetwork;
    private readonly SafetyChecker safety = new();
    private readonly KvCommandCache commands = new(); // every server's reference store decodes an entry's command through it: once, not once per server
    private bool faultsEnded;
    private int elections;

    /// <param name="options">The run.</param>
    /// <param name="nodeFactory">Makes the core of a server at each start; the reference <see cref="RaftNode"/> by default.</param>
    /// <param name="storeFactory">Makes a server's empty key-value store at each start; <see cref="KvStateMachine"/> by default.</param>
    public Simulation(SimulationOptions options, Func<NodeSpec, IRaftNode>? nodeFactory = null, Func<IKeyValueStore>? storeFactory = null)
    {
        this.options = options.Validate();
        this.nodeFactory = nodeFactory ?? DefaultNode;
        this.storeFactory = storeFactory ?? (() => new KvStateMachine(commands));
        var seed = options.Seed;
        Members = NodeId.Range(options.Nodes);
        Servers = NodeId.Range(options.Servers);
        Network = new SimNetwork(new SplitMix64(SplitMix64.Derive(seed, NetworkStream)), options.Network);
        clientNetwork = new SplitMix64(SplitMix64.Derive(seed, ClientNetworkStream));
        Trace = new Trace(options.KeepTrace);
        Schedule = options.Schedule ?? GenerateSchedule(options);

        var clock = new SplitMix64(SplitMix64.Derive(seed, ClockStream));
        var drift = options.MaxClockDrift;
        foreach (var id in Servers) // the spares after the initial voters, so the voters draw what they drew without spares
        {
            nodeRandom[id] = new SplitMix64(SplitMix64.Derive(seed, NodeStreamBase + (ulong)id.Value));
            var rate = 1 + (clock.NextDouble() * 2 - 1) * drift;
            var node = new SimNode(id, StartCore(id, Raft.Core.Storage.PersistentState.Empty, 1), this.storeFactory(), rate);
            node.Executor = NewExecutor(node);
            nodes[id] = node;
            nodesInOrder.Add(node);
            safety.OnStart(node.Core, Raft.Core.Storage.PersistentState.Empty, 0);
            queue.Schedule(clock.Next((int)options.TickMicros) + 1, SimEvent.Tick(id, node.Incarnation));
        }
        for (var c = 1; c <= options.Clients; c++)
        {
            var client = new SimClient(c, new SplitMix64(SplitMix64.Derive(seed, ClientStreamBase + (ulong)c)), options.Keys, options.Servers, options.ReadPercent);
            clients.Add(client);
            queue.Schedule(client.Random.Next((int)Math.Max(1, options.ClientThinkMicros)) + options.TickMicros, SimEvent.ClientWake(c, client.TimerGeneration));
        }
        reachableVoter = ReachableVoter;
        foreach (var action in Schedule) queue.Schedule(action.AtMicros, SimEvent.Fault(action));
        queue.Schedule(options.DurationMicros, SimEvent.FaultsEnd());
    }

    /// <summary>The voters the cluster started with, n1..nN.</summary>
    public IReadOnlyList<NodeId> Members { get; }

    /// <summary>Every server: the initial voters, then the spares.</summary>
    public IReadOnlyList<NodeId> Servers { get; }

    public SimNetwork Network { get; }

    /// <summary>The options this run was made with (validated).</summary>
    public SimulationOptions Options => options;

    /// <summary>How many key-value clients the run has (c1..cN).</summary>
    public int ClientCount => clients.Count;

    public Trace Trace { get; }

    public OperationHistory History { get; } = new();

    /// <summary>The fault schedule this run follows.</summary>
    public IReadOnlyList<FaultAction> Schedule { get; }

    /// <summary>Current virtual time in microseconds.</summary>
    public long Now { get; private set; }

    public Violation? Violation { get; private set; }

    public IReadOnlyDictionary<NodeId, SimNode> Nodes => nodes;

    /// <summary>The run's safety checker, for properties that look at what was committed and applied.</summary>
    public SafetyChecker Safety => safety;

    /// <summary>
    /// Runs until a property is violated, or until faults have stopped and the cluster has a leader
    /// with every client request answered (liveness), or until the liveness bound passes (a violation).
    /// </summary>
    public SimulationResult Run()
    {
        var deadline = options.DurationMicros + options.LivenessBoundMicros;
        var live = false;
        while (Violation is null && queue.TryPeekTime(out var next) && next <= deadline)
        {
            StepEvent();
            CheckProgress();
            if (faultsEnded && Violation is null) ShutDownRemovedServers();
            if (faultsEnded && IsSettled())
            {
                live = true;
                break;
            }
        }
        if (Violation is null && !live)
        {
            var pending = clients.Count(c => c.Current is not null);
            Fail(Property.Liveness, "-", LeaderNow() is null
                ? $"no leader {TraceEvent.FormatTime(options.LivenessBoundMicros)} after faults stopped"
                : $"{pending} client request(s) still pending {TraceEvent.FormatTime(options.LivenessBoundMicros)} after faults stopped");
        }
        if (Violation is null) CheckLinearizability();
        return Result();
    }

    private LinearizabilityResult? linearizability;

    /// <summary>
    /// The client history must be linearizable against a sequential key-value store. A search that
    /// runs out of budget leaves the run inconclusive (<see cref="SimulationResult.Inconclusive"/>), never passed.
    /// </summary>
    private void CheckLinearizability()
    {
        var verdict = LinearizabilityChecker.Check(History.Operations, options.LinearizabilityStepBudget);
        linearizability = verdict;
        if (verdict.Outcome == LinearizabilityOutcome.Violation)
            Fail(Property.Linearizability, "-", $"key {verdict.Key}: no legal order for\n{verdict.Render()}");
        else if (verdict.Outcome == LinearizabilityOutcome.Unknown)
            Record(TraceKind.Note, "-", $"linearizability check gave up on key {verdict.Key} after {verdict.Steps} search steps over all keys");
    }

    public SimulationResult Result() => new(options.Seed, Trace.Digest, Violation, Now, elections, safety.CommittedIndex,
        Network.MessagesSent, Network.MessagesDropped, History.CompletedCount, History.Operations, Trace.Recent, membershipChangesCommitted,
        nodes.Values.Select(ServerState.Of).ToList(), linearizability);

    /// <summary>Handles the next event. Returns false when nothing is scheduled.</summary>
    public bool StepEvent()
    {
        if (!queue.TryDequeue(out var next, out var time)) return false;
        Now = time;
        switch (next.Kind)
        {
            case EventKind.Tick: HandleTick(new NodeId(next.Target), (int)next.Number); break;
            case EventKind.Delivery: HandleDelivery(next.Number); break;
            case EventKind.Fault when LeaderSyncingFor((FaultAction)next.Subject!) is { } until: queue.Schedule(until, next); break;
            case EventKind.Fault: ApplyFault((FaultAction)next.Subject!); break;
            case EventKind.FaultsEnd: EndFaults(); break;
            case EventKind.ClientWake: HandleClientWake(next.Target, next.Number); break;
            case EventKind.ClientRequest: HandleClientRequest(new NodeId(next.Target), (ClientRequest)next.Subject!); break;
            case EventKind.ClientReply: HandleClientReply((ClientReply)next.Subject!); break;
            case EventKind.StepDurable: HandleStepDurable(new NodeId(next.Target), (int)next.Number); break;
        }
        return true;
    }

    /// <summary>
    /// Delivers an in-flight message now, ahead of its time (by hand, as a scenario or a test
    /// would). Returns false if it is no longer in flight.
    /// </summary>
    public bool DeliverNow(long seq)
    {
        if (Network.Take(seq) is not { } copy) return false;
        var target = nodes[copy.Message.To];
        if (target.Status != NodeStatus.Up) return false;
        Record(TraceEvent.Delivered(Now, copy, byHand: true));
        StepNode(target, new Receive(copy.Message));
        return true;
    }

    /// <summary>The leader a majority of its voters follows, if any (<see cref="Leadership.FollowedLeader"/>); a paused node cannot lead.</summary>
    public NodeId? LeaderNow()
    {
        upCores.Clear(); // a loop and a list kept for it, not LINQ: asked after every event once faults stop
        foreach (var node in nodesInOrder)
            if (node.Status == NodeStatus.Up) upCores.Add(node.Core);
        return Leadership.FollowedLeader(upCores, reachableVoter);
    }

    private IRaftNode? ReachableVoter(NodeId leader, NodeId voter) =>
        nodes.TryGetValue(voter, out var n) && n.Status != NodeStatus.Down && !Network.IsCut(leader, voter) && !Network.IsCut(voter, leader) ? n.Core : null;

    /// <summary>Every request answered and a leader that is a voter of its own configuration (not one that is removing itself).</summary>
    private bool IsSettled() =>
        clients.TrueForAll(c => c.Current is null) && LeaderNow() is { } leader && nodes[leader].Core.Configuration.IsVoter(leader);

    // ---- nodes -------------------------------------------------------------------------------

    private static IRaftNode DefaultNode(NodeSpec spec) =>
        new RaftNode(spec.Id, spec.Members, spec.Options, spec.Random, spec.Persisted, spec.FirstMessageId);

    /// <summary>A spare starts with no members: it waits until a configuration in its log names it.</summary>
    private IRaftNode StartCore(NodeId id, Raft.Core.Storage.PersistentState persisted, int incarnation) =>
        nodeFactory(new NodeSpec(id, id.Value <= options.Nodes ? Members : [], options.Raft, nodeRandom[id], persisted, incarnation * 1_000_000_000L));

    private long TickLength(SimNode node) => Math.Max(1, (long)(options.TickMicros * node.ClockRate));

    private void HandleTick(NodeId id, int incarnation)
    {
        var node = nodes[id];
        if (node.Incarnation != incarnation || node.Status == NodeStatus.Down) return;
        queue.Schedule(Now + TickLength(node), SimEvent.Tick(id, incarnation));
        if (node.Status == NodeStatus.Up) StepNode(node, Tick.Instance);
    }

    /// <summary>
    /// Feeds one input to a node and carries out its effects. A node whose disk is still syncing
    /// the writes of an earlier step takes no new input: the input waits in its backlog (the durability
    /// barrier, SimulationEffects.cs). Returns false when the input waits or the node threw;
    /// <paramref name="proposal"/> is what became of a proposal.
    /// </summary>
    private bool StepNode(SimNode node, Input input, out ProposeOutcome? proposal)
    {
        proposal = null;
        if (IsSyncing(node))
        {
            node.Backlog.Enqueue(input);
            return false;
        }
        var core = node.Core;
        var before = new StepStart(core.Role, core.Term, core.CommitIndex);
        var effects = node.StepEffects; // one list for every step of the node: no Output to allocate
        effects.Clear();
        try
        {
            proposal = core.Step(input, effects);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or KeyNotFoundException)
        {
            Fail(Property.CoreInvariant, node.Id.ToString(), $"{e.GetType().Name}: {e.Message}");
            return false;
        }

        if (input is Tick && core.Term > before.Term) Record(TraceEvent.Timeout(Now, node.Id, core.Term));
        node.Executor.Execute(effects);
        if (options.DriverBug == Execution.DriverBug.None && ReleaseTime(node, node.Executor.LastWrite) > Now) HoldUntilDurable(node, before);
        else FinishStep(node, before);
        return true;
    }

    private void StepNode(SimNode node, Input input) => StepNode(node, input, out _);

    /// <summary>
    /// What a step changed, recorded and checked once its effects (in <see cref="SimNode.StepEffects"/>)
    /// are out: at once, or when its writes are durable.
    /// </summary>
    private void FinishStep(SimNode node, StepStart before)
    {
        var core = node.Core;
        if (core.Term != before.Term) Record(TraceEvent.TermChanged(Now, node.Id, before.Term, core.Term));
        if (core.Role != before.Role)
        {
            Record(TraceEvent.RoleChanged(Now, node.Id, before.Role, core.Role, core.Term));
            if (core.Role == Role.Leader && ++elections > 1 && options.ExpectStableLeader)
                Fail(Property.LeaderStability, node.Id.ToString(), $"{node.Id} became leader of term {core.Term} in a run without faults: nothing should have deposed the first leader");
        }
        if (core.CommitIndex > before.CommitIndex) Record(TraceEvent.Committed(Now, node.Id, before.CommitIndex, core.CommitIndex));

        safety.AfterStep(core, node.StepEffects, Now);
        if (safety.First is { } violation && Violation is null)
        {
            Violation = violation;
            Record(TraceEvent.Violated(Now, violation));
        }
        MaybeCompact(node);
    }

    /// <summary>Applies a committed entry; the leader that accepted it answers its client.</summary>
    private void ApplyToStateMachine(SimNode node, LogEntry entry)
    {
        // Applies commands only; no-ops and configurations leave the store as it is. The reference
        // store hands back its result as it is; another (a student's) encodes it, as IStateMachine
        // says, and only the leader that answers decodes it.
        KvResult? answer = null;
        byte[]? encoded = null;
        if (node.StateMachine is KvStateMachine store) answer = store.ApplyEntry(entry);
        else encoded = node.StateMachine.Apply(entry);
        Record(TraceEvent.Applied(Now, node.Id, entry));
        OnConfigurationApplied(entry);
        if (node.PendingProposals.Remove(entry.Index, out var pending) && pending.Term == entry.Term)
        {
            var request = pending.Request;
            CheckDurable(node, Now, DurabilityChecker.CheckWriteAnswer(entry.Index, entry.Term, DiskAt(node, Now)));
            ReplyToClient(new ClientReply(request.Client, request.OperationId, request.Attempt, answer ?? KvResult.Decode(encoded ?? []), node.Id));
        }
        ServeReadsUpTo(node, entry.Index);
    }

    private void SendMessage(Message message, long releaseAt)
    {
        if (Network.Send(message, releaseAt, out var duplicate) is not { } copy)
        {
            Record(TraceEvent.Lost(Now, message));
            return;
        }
        Put(copy);
        if (duplicate is { } second) Put(second);

        void Put(InFlightMessage onTheWire)
        {
            Record(TraceEvent.Sent(Now, onTheWire));
            queue.Schedule(onTheWire.DeliverAtMicros, SimEvent.Delivery(onTheWire.Seq));
        }
    }

    private void HandleDelivery(long seq)
    {
        if (Network.Take(seq) is not { } copy) return; // dropped by hand or by a crash meanwhile
        var message = copy.Message;
        var target = nodes[message.To];
        if (Network.IsCut(message.From, message.To) || target.Status == NodeStatus.Down)
        {
            Network.RecordDrop();
            Record(TraceEvent.Undeliverable(Now, copy, receiverDown: target.Status == NodeStatus.Down));
            return;
        }
        if (target.Status == NodeStatus.Paused)
        {
            target.Backlog.Enqueue(new Receive(message));
            return;
        }
        Record(TraceEvent.Delivered(Now, copy));
        StepNode(target, new Receive(message));
    }

    // ---- faults ------------------------------------------------------------------------------

    private void ApplyFault(FaultAction aimed)
    {
        // An action aimed at the leader hits whoever leads now; the trace names that node.
        if (AtTheLeader(aimed) is not { } action)
        {
            Record(TraceKind.Note, "-", $"{aimed.Describe()}: no leader now, nothing happens");
            return;
        }
        Record(TraceEvent.Fault(Now, action));
        switch (action)
        {
            case PartitionFault partition:
                Network.HealAll();
                var groupOf = new SortedDictionary<int, int>();
                for (var g = 0; g < partition.Groups.Count; g++)
                    foreach (var n in partition.Groups[g]) groupOf[n] = g;
                foreach (var a in Servers)
                    foreach (var b in Servers)
                        if (a != b && (!groupOf.TryGetValue(a.Value, out var ga) || !groupOf.TryGetValue(b.Value, out var gb) || ga != gb))
                            Network.Cut(a, b);
                break;
            case BridgeFault bridge:
                Network.HealAll();
                var sideOf = new SortedDictionary<int, int>();
                for (var g = 0; g < bridge.Groups.Count; g++)
                    foreach (var n in bridge.Groups[g]) sideOf[n] = g;
                foreach (var a in Servers)
                    foreach (var b in Servers)
                        if (a != b && a.Value != bridge.Bridge && b.Value != bridge.Bridge
                            && sideOf.TryGetValue(a.Value, out var sa) && sideOf.TryGetValue(b.Value, out var sb) && sa != sb)
                            Network.Cut(a, b);
                break;
            case CutLinkFault cut:
                Network.Cut(new NodeId(cut.From), new NodeId(cut.To));
                break;
            case IsolateFault isolate:
                foreach (var other in Servers.Where(m => m.Value != isolate.Node))
                {
                    Network.Cut(new NodeId(isolate.Node), other);
                    Network.Cut(other, new NodeId(isolate.Node));
                }
                break;
            case HealFault:
                Network.HealAll();
                break;
            case ReconnectFault reconnect:
                foreach (var other in Servers.Where(m => m.Value != reconnect.Node))
                {
                    Network.Restore(new NodeId(reconnect.Node), other);
                    Network.Restore(other, new NodeId(reconnect.Node));
                }
                break;
            case CrashFault crash:
                Crash(nodes[new NodeId(crash.Node)]);
                break;
            case RestartFault restart:
                Restart(nodes[new NodeId(restart.Node)]);
                break;
            case PauseFault pause when nodes[new NodeId(pause.Node)].Status == NodeStatus.Up:
                nodes[new NodeId(pause.Node)].Status = NodeStatus.Paused;
                break;
            case ResumeFault resume:
                Resume(nodes[new NodeId(resume.Node)]);
                break;
            case TransferFault transfer when LeaderNow() is { } leader:
                StepNode(nodes[leader], new TransferLeadership(new NodeId(transfer.Node)));
                break;
            case MembershipFault change:
                ChangeMembership(change);
                break;
            case NetworkFault net:
                Network.Profile = Network.Profile with { LossRate = net.LossRate, DuplicateRate = net.DuplicateRate, ReorderRate = net.ReorderRate };
                break;
        }
    }

    /// <summary>The action with "the leader" replaced by the node that leads now; null if it is aimed at the leader and there is none.</summary>
    private FaultAction? AtTheLeader(FaultAction action)
    {
        var aimed = action switch
        {
            CrashFault { Node: FaultAction.TheLeader } or IsolateFault { Node: FaultAction.TheLeader } or PauseFault { Node: FaultAction.TheLeader } => true,
            _ => false,
        };
        if (!aimed) return action;
        if (LeaderNow() is not { } leader) return null;
        return action switch
        {
            CrashFault crash => crash with { Node = leader.Value },
            IsolateFault isolate => isolate with { Node = leader.Value },
            PauseFault pause => pause with { Node = leader.Value },
            _ => action,
        };
    }

    /// <summary>Power loss: volatile state and unsynced writes are gone, and so are messages still held back for them.</summary>
    public void Crash(SimNode node)
    {
        if (node.Status == NodeStatus.Down) return;
        node.Status = NodeStatus.Down;
        node.Disk.Crash(Now);
        node.PendingProposals.Clear();
        node.ForgetReads();
        node.Backlog.Clear();
        node.Held.Clear();
        node.SyncedAtMicros = 0; // the held step is lost with its writes; the restarted node does not wait for it
        Network.DropWhere(m => m.Message.From == node.Id && m.SentAtMicros > Now);
    }

    public void Restart(SimNode node)
    {
        if (node.Status != NodeStatus.Down) return;
        node.Incarnation++;
        var persisted = node.Disk.Load();
        node.Core = StartCore(node.Id, persisted, node.Incarnation);
        node.Executor = NewExecutor(node);
        node.StateMachine = storeFactory();
        if (persisted.Snapshot is { } snapshot) node.StateMachine.Restore(snapshot.Data); // §7: restart from snapshot plus log
        node.Status = NodeStatus.Up;
        Record(TraceEvent.Recovered(Now, node.Id, persisted, node.Core.CommitIndex));
        safety.OnStart(node.Core, persisted, Now);
        if (safety.First is { } violation) Violation ??= violation;
        queue.Schedule(Now + TickLength(node), SimEvent.Tick(node.Id, node.Incarnation));
    }

    public void Resume(SimNode node)
    {
        if (node.Status != NodeStatus.Paused) return;
        node.Status = NodeStatus.Up;
        DrainBacklog(node);
    }

    /// <summary>Faults stop: links heal, the network turns reliable, crashed nodes restart, paused ones resume.</summary>
    private void EndFaults()
    {
        faultsEnded = true;
        Record(TraceKind.Note, "-", "faults stop: heal, reliable network, restart and resume every node");
        Network.HealAll();
        Network.Profile = Network.Profile with { LossRate = 0, DuplicateRate = 0, ReorderRate = 0, LongDelayRate = 0 };
        foreach (var node in nodes.Values)
        {
            if (node.Status == NodeStatus.Down) Restart(node);
            else if (node.Status == NodeStatus.Paused) Resume(node);
        }
    }

    // ---- clients -----------------------------------------------------------------------------

    private void HandleClientWake(int clientId, long generation)
    {
        var client = clients[clientId - 1];
        if (generation != client.TimerGeneration) return; // a timer that was cancelled
        if (client.Current is null)
        {
            if (faultsEnded) return; // no new operations once faults have stopped
            var command = client.NextCommand();
            var id = History.Invoke(client.Id, command, Now);
            client.Current = new ClientRequest(client.Id, id, 1, command);
            Record(TraceEvent.ClientCalled(Now, client.Id, command, client.Target));
        }
        else
        {
            // Timeout or redirect: retry the same command (same sequence number: applied once).
            if (!client.RetryAtTarget) client.TryNextServer(options.Servers);
            client.Current = client.Current with { Attempt = client.Current.Attempt + 1 };
        }
        client.RetryAtTarget = false;
        SendClientRequest(client);
    }

    private void SendClientRequest(SimClient client)
    {
        var latency = ClientLatency();
        queue.Schedule(Now + latency, SimEvent.ClientRequest(client.Target, client.Current!));
        client.TimerGeneration++;
        queue.Schedule(Now + options.ClientTimeoutMicros, SimEvent.ClientWake(client.Id, client.TimerGeneration));
    }

    private void HandleClientRequest(NodeId target, ClientRequest request)
    {
        var node = nodes[target];
        if (node.Status != NodeStatus.Up) return; // lost: the client will time out
        if (IsSyncing(node))
        {
            queue.Schedule(node.SyncedAtMicros, SimEvent.ClientRequest(target, request)); // handled once its disk is idle
            return;
        }
        if (node.Core.Role != Role.Leader)
        {
            ReplyToClient(new ClientReply(request.Client, request.OperationId, request.Attempt, null, node.Core.Leader));
            return;
        }
        if (request.Command.Operation == KvOperation.Get && options.Reads != ReadMode.Log)
        {
            StartRead(node, request);
            return;
        }
        // Registered before the step: a leader that is the only voter commits and applies the
        // entry within the step itself, and the apply must find the client to answer.
        var expected = (Index: node.Core.Log.LastIndex + 1, node.Core.Term);
        node.PendingProposals[expected.Index] = (request, expected.Term);
        var stepped = StepNode(node, new Propose(request.Command.Encode()), out var proposal);
        var accepted = proposal is { Accepted: true } outcome ? outcome : null;
        if (accepted is null || (accepted.Index, accepted.Term) != expected)
        {
            if (node.PendingProposals.TryGetValue(expected.Index, out var mine) && mine.Request == request) node.PendingProposals.Remove(expected.Index);
            if (accepted is not null && node.Core.LastApplied < accepted.Index) node.PendingProposals[accepted.Index] = (request, accepted.Term);
        }
        if (accepted is null && stepped)
            ReplyToClient(new ClientReply(request.Client, request.OperationId, request.Attempt, null, proposal?.LeaderHint));
    }

    private void ReplyToClient(ClientReply reply) => queue.Schedule(Now + ClientLatency(), SimEvent.ClientReply(reply));

    private void HandleClientReply(ClientReply reply)
    {
        var client = clients[reply.Client - 1];
        var current = client.Current;
        if (current is null || current.OperationId != reply.OperationId) return; // late answer to a finished operation
        if (reply.Result is { } result)
        {
            History.Complete(current.OperationId, result, Now);
            client.Observe(current.Command, result);
            client.Current = null;
            client.Completed++;
            Record(TraceEvent.ClientReturned(Now, client.Id, current.Command, result));
            client.TimerGeneration++;
            queue.Schedule(Now + 1 + client.Random.Next((int)Math.Max(1, options.ClientThinkMicros)), SimEvent.ClientWake(client.Id, client.TimerGeneration));
            return;
        }
        if (reply.Attempt != current.Attempt) return; // redirect for an attempt already superseded
        // Not the leader: go to the hinted leader soon, or to the next server after a pause.
        client.RetryAtTarget = reply.LeaderHint is not null;
        if (reply.LeaderHint is { } hint) client.Target = hint;
        client.TimerGeneration++;
        queue.Schedule(Now + (reply.LeaderHint is null ? 20_000 : 1_000), SimEvent.ClientWake(client.Id, client.TimerGeneration));
    }

    private long ClientLatency() => 500 + clientNetwork.Next(2_000);

    // ---- trace and failures ------------------------------------------------------------------

    private void Record(in TraceEvent traceEvent) => Trace.Add(traceEvent);

    /// <summary>A rare event told as text (a note, an operator's action): the text is made now.</summary>
    private void Record(TraceKind kind, NodeId node, string detail) => Record(kind, node.ToString(), detail);

    private void Record(TraceKind kind, string node, string detail) => Trace.Add(TraceEvent.Note(Now, kind, node, detail));

    private void Fail(Property property, string node, string message)
    {
        if (Violation is not null) return;
        Violation = new Violation(property, Now, node, message);
        Record(TraceEvent.Violated(Now, Violation));
    }

    private enum EventKind { Tick, Delivery, Fault, FaultsEnd, ClientWake, ClientRequest, ClientReply, StepDurable }

    /// <summary>
    /// Something scheduled: what, for whom (a node's or a client's number), and one number and one
    /// object that say more. A struct, so that scheduling allocates nothing: a run schedules tens
    /// of thousands of events. The factories say what each kind carries.
    /// </summary>
    private readonly record struct SimEvent(EventKind Kind, int Target = 0, long Number = 0, object? Subject = null)
    {
        /// <summary>A node's clock ticks; ignored if the node restarted since (a later incarnation).</summary>
        public static SimEvent Tick(NodeId node, int incarnation) => new(EventKind.Tick, node.Value, incarnation);

        /// <summary>Message <paramref name="seq"/> arrives, unless it left the wire meanwhile.</summary>
        public static SimEvent Delivery(long seq) => new(EventKind.Delivery, Number: seq);

        public static SimEvent Fault(FaultAction action) => new(EventKind.Fault, Subject: action);

        public static SimEvent FaultsEnd() => new(EventKind.FaultsEnd);

        /// <summary>A client's timer fires; ignored if the client set another since (a later generation).</summary>
        public static SimEvent ClientWake(int client, long generation) => new(EventKind.ClientWake, client, generation);

        public static SimEvent ClientRequest(NodeId node, ClientRequest request) => new(EventKind.ClientRequest, node.Value, Subject: request);

        public static SimEvent ClientReply(ClientReply reply) => new(EventKind.ClientReply, Subject: reply);

        /// <summary>The writes of a node's held step (<see cref="SimNode.HeldStepStart"/>) are durable; ignored if the node crashed since.</summary>
        public static SimEvent StepDurable(NodeId node, int incarnation) => new(EventKind.StepDurable, node.Value, incarnation);
    }
}
