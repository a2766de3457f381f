using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetMQ;
using NetMQ.Sockets;
using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Inputs;
using Raft.Core.Log;
using Raft.Core.Membership;
using Raft.Core.Node;
using Raft.Core.Randomness;
using Raft.Core.StateMachine;
using Raft.Net.Parity;
using Raft.Net.StateMachine;
using Raft.Net.Storage;
using Raft.Net.Transport;
using Raft.Net.Wire;

namespace Raft.Net.Hosting;

/// <summary>
/// Runs the pure core for real: one NetMQPoller thread owns the core, the sockets, the timer and
/// the disk, so the core is driven exactly as in the simulator, one input at a time. Other
/// threads talk to it only through <see cref="Post"/> (a NetMQQueue).
/// <para>
/// Durability barrier (thesis §3.8): no message, client reply or read answer leaves while a write
/// the node issued earlier, in this step or any before, is not yet synced. All disk work (writes,
/// fsyncs, snapshot files, log rewrites) runs on a <see cref="DiskThread"/>, so the node goes on
/// stepping, and its heartbeats go on leaving, while its disk works; what the steps meanwhile send
/// waits, in order, for the sync that covers their own writes.
/// Fail-stop: if anything
/// throws while an input is handled, the node sends nothing more, closes its disk with the
/// completed writes synced, and reports <see cref="Faulted"/>.
/// </para>
/// </summary>
public sealed class NodeHost : IDisposable
{
    private readonly NodeConfig config;
    private readonly NetMQQueue<Action> control = new();
    private readonly SortedDictionary<long, (ClientRoute Client, long RequestId, long Term)> pendingReplies = [];
    private NetMQPoller? poller;
    private NetMqTransport? transport;
    private Discovery.PeerDiscovery? discovery;
    private RouterSocket? clients;
    private NetMQTimer? timer;
    private INodeStorage? storage;
    private RaftNode? core;
    private INodeStore? store;
    private StreamWriter? inputLog;
    private readonly StepDigest stepDigest = new(); // the digest written beside each input
    private long messagesIn, messagesOut, clientRequests;
    private Role lastRole;
    private long lastTerm;
    private volatile NodeMetrics? metrics;
    private bool disposed;
    private bool batching;
    private readonly SortedDictionary<long, (ClientRoute Client, long RequestId, string Key)> pendingReads = [];
    private readonly List<(long ReadId, long ReadIndex)> readyReads = [];
    private long nextReadId = 1;
    private long ticks;
    private (long Index, bool Committed) loggedConfiguration = (-1, false);

    /// <summary>A metrics line is logged every this many ticks.</summary>
    private const int MetricsEveryTicks = 500;
    private DiskThread? diskThread;
    private List<Effect> unsubmitted = []; // persist effects issued but not yet handed to the disk thread, in order
    private long writesIssued; // persist effects issued, counted from the start
    private long writesDurable; // how many of them a completed sync covers
    private long hardStateWrite; // the number of the last term-or-vote write issued (writes are numbered from 1)
    private long ticksHeld; // ticks not stepped because the node's term or vote was not yet durable
    private long syncs; // completed syncs
    private bool syncRunning;
    private (long Index, long Term) syncingLog; // the log's last entry when the running sync started
    private (long Index, long Term)? persistedToReport; // a finished sync the core has not been told of
    private readonly Queue<Outbound> heldBack = new();
    private readonly Action<long, Exception?> onSynced;
    private Input? inputInHand;
    private readonly TaskCompletionSource<NodeFault> faulted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeHost(NodeConfig config)
    {
        this.config = config;
        onSynced = (through, error) => Post(() => OnSynced(through, error));
    }

    /// <summary>A message or a client answer held back until the writes issued before it are durable.</summary>
    private readonly record struct Outbound(long AfterWrites, Raft.Core.Messages.Message? Message, ClientRoute? Client, ClientResponse? Response);

    /// <summary>Completes if the node stopped itself because handling an input threw (fail-stop).</summary>
    public Task<NodeFault> Faulted => faulted.Task;

    /// <summary>Test seam: opens the node's disk.</summary>
    internal Func<NodeConfig, INodeStorage> OpenStorage { get; init; } = c => FileStorage.Open(c.DataDirectory, c.Fsync);

    /// <summary>Test seam: opens the node's key-value store (the one <see cref="NodeConfig.Store"/> names).</summary>
    internal Func<NodeConfig, INodeStore> OpenStore { get; init; } = c => c.Store == StoreKind.Sqlite
        ? SqliteKvStore.Open(c.DataDirectory, c.Fsync)
        : new MemoryKvStore();

    /// <summary>Test seam: called on the node's thread with each input just before the core steps it.</summary>
    internal Action<Input>? BeforeStep { get; init; }

    /// <summary>
    /// Test seam: called on the node's thread just before a message or a client answer leaves, with
    /// how many writes the node had issued when it was produced (all of them are durable by now).
    /// With <see cref="RaftOptions.LeaderPersistsInParallel"/>, a leader's AppendEntries and every
    /// client answer are marked "early" and come with the writes durable when they left: they wait for none.
    /// </summary>
    internal Action<string, long>? Emitting { get; init; }

    /// <summary>Frames refused by the codec, by reason.</summary>
    public DropCounter Drops { get; } = new();

    public int Incarnation { get; private set; }

    public NodeMetrics? Metrics => metrics;

    /// <summary>Peer discovery, when <see cref="NodeConfig.Discovery"/> is set (its counters are thread-safe).</summary>
    public Discovery.PeerDiscovery? Discovery => discovery;

    /// <summary>Structured log lines (JSON) for the operator; stderr by default.</summary>
    public Action<string> Log { get; init; } = line => Console.Error.WriteLine(line);

    /// <summary>Opens the disk, restores the core and starts the poller thread.</summary>
    public void Start()
    {
        if (config.Curve is not null && config.Discovery is not null) throw new ArgumentException("Curve and discovery exclude each other (NodeConfig.Curve)");
        Directory.CreateDirectory(config.DataDirectory);
        Incarnation = NextIncarnation();
        storage = OpenStorage(config);
        var persisted = storage.Load();
        var addressBook = config.RaftAddresses.Keys.Order().ToArray();
        var members = (config.InitialVoters ?? addressBook).Order().ToArray();
        var seed = SplitMix64.Derive(config.Seed, (ulong)(config.Id.Value * 100_000 + Incarnation));
        var firstMessageId = Incarnation * 1_000_000_000L;
        core = new RaftNode(config.Id, members, config.Options, new SplitMix64(seed), persisted, firstMessageId);
        store = OpenStore(config);
        // §7: restart from snapshot plus log. A durable store that already holds the snapshot's
        // entries keeps its state; one that lags behind it (a power loss took back its last commits,
        // and compaction removed those entries from the log) starts from the snapshot.
        if (persisted.Snapshot is { } snapshot && store.LastApplied < snapshot.LastIncludedIndex) store.Restore(snapshot);
        if (config.RecordInputs)
        {
            // Flushed at the end of every poller callback (see FlushInputLog), not line by line.
            inputLog = new StreamWriter(Path.Combine(config.DataDirectory, $"inputs-{Incarnation:D4}.ndjson"), append: false, System.Text.Encoding.UTF8, bufferSize: 64 * 1024);
            inputLog.WriteLine(InputLog.HeaderLine(new InputLogHeader(config.Id, Incarnation, members, seed, firstMessageId,
                config.Options, persisted.HardState, persisted.Entries, config.ClusterId, persisted.Snapshot, addressBook,
                OpenAddressBook: config.Discovery is not null)));
        }

        diskThread = new DiskThread($"raft-{config.Id}-disk");
        transport = new NetMqTransport(config.Id, config.RaftAddresses, Drops, config.Curve);
        transport.FramesReceived += frames => FailStopOnException(() =>
        {
            BeginBatch();
            foreach (var (from, frame) in frames) OnFrame(from, frame);
            EndBatch();
        });
        clients = new RouterSocket();
        clients.Options.Linger = TimeSpan.Zero;
        clients.Options.MaxMsgSize = WireCodec.MaxClientFrameBytes; // a larger request closes its connection unread
        clients.Bind(config.ClientAddress);
        clients.ReceiveReady += (_, e) => FailStopOnException(() => OnClientReady(e.Socket));
        timer = new NetMQTimer(config.TickInterval);
        timer.Elapsed += (_, _) => FailStopOnException(() =>
        {
            if (++ticks % MetricsEveryTicks == 0) LogMetrics();
            if (writesDurable < hardStateWrite)
            {
                // The node's own term or vote is not durable yet, and nothing it would do on a timeout
                // could leave before it is: the clock waits with it, so that a candidate's election
                // timeout counts from when its requests for votes left, however slow the disk.
                ticksHeld++;
                return;
            }
            Step(Tick.Instance);
        });
        control.ReceiveReady += (_, e) => FailStopOnException(() =>
        {
            while (!Faulted.IsCompleted && e.Queue.TryDequeue(out var action, TimeSpan.Zero)) action();
        });
        poller = new NetMQPoller { clients, timer, control };
        transport.AddTo(poller);
        if (config.Discovery is { } discover)
        {
            discovery = new Discovery.PeerDiscovery(discover, new Discovery.PeerAddress(config.Id, config.RaftAddresses[config.Id], config.ClientAddress),
                config.ClusterId, transport, core, change => Step(change)?.Proposal, LogEvent, FailStopOnException);
            discovery.AddTo(poller);
        }
        UpdateMetrics();
        LogEvent("start", $"\"incarnation\":{Incarnation},\"term\":{core.Term},\"log\":{core.Log.LastIndex},\"store\":\"{config.Store}\",\"applied\":{store.LastApplied},\"curve\":{(config.Curve is null ? "false" : "true")}");
        MaybeLogConfiguration();
        poller.RunAsync($"raft-{config.Id}");
    }

    /// <summary>Runs <paramref name="action"/> on the node's thread.</summary>
    public void Post(Action action) => control.Enqueue(action);

    public void Block(NodeId peer) => Post(() => transport!.Block(peer));

    public void Unblock(NodeId peer) => Post(() => transport!.Unblock(peer));

    public void UnblockAll() => Post(() => transport!.UnblockAll());

    /// <summary>Asks this node, if it leads, to hand leadership to <paramref name="target"/> (thesis §3.10).</summary>
    public void TransferLeadership(NodeId target) => Post(() => Step(new Raft.Core.Inputs.TransferLeadership(target)));

    /// <summary>
    /// Asks this node, if it leads, for a single-server membership change (thesis §4). The task
    /// completes on the node's thread with the core's answer: accepted at an index, or refused
    /// with a reason and a leader hint.
    /// </summary>
    public Task<ProposeOutcome> ChangeMembership(MembershipChangeKind kind, NodeId node)
    {
        var answer = new TaskCompletionSource<ProposeOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => answer.SetResult(Step(new Raft.Core.Inputs.ChangeMembership(kind, node))?.Proposal ?? ProposeOutcome.NotLeader(core!.Leader)));
        return answer.Task;
    }

    /// <summary>Forces an election now (scripted runs).</summary>
    public void Campaign() => Post(() => Step(Raft.Core.Inputs.Campaign.Instance));

    private void OnFrame(NodeId? from, byte[] frame)
    {
        Raft.Core.Messages.Message? message;
        DropReason reason;
        try
        {
            WireCodec.TryDecode(frame, config.ClusterId, transport!.Knows, config.Id, out message, out reason); // the address book grows with discovery
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The codec promises not to throw; if it ever does, the frame is still only dropped.
            (message, reason) = (null, DropReason.Malformed);
            LogEvent("codec-error", $"\"error\":\"{e.GetType().Name}\"");
        }
        if (message is null)
        {
            Drops.Count(reason);
            return;
        }
        if (from is { } sender && sender != message.From)
        {
            Drops.Count(DropReason.SenderMismatch);
            return;
        }
        messagesIn++;
        Step(new Receive(message));
    }

    /// <summary>
    /// Client requests arrive on a ROUTER socket as [identity][request] from a DEALER, or as
    /// [identity][empty][request] from a REQ socket (its answer keeps the empty delimiter). Any other
    /// shape is dropped as malformed. A request that decodes but breaks a rule of the protocol is
    /// answered <see cref="ClientStatus.Rejected"/> (docs/wire-format.md says which frames get no answer).
    /// </summary>
    private void OnClientReady(NetMQSocket socket)
    {
        var frames = new NetMQMessage();
        BeginBatch();
        for (var n = 0; n < NetMqTransport.MaxBatch && socket.TryReceiveMultipartMessage(TimeSpan.Zero, ref frames); n++)
        {
            var delimited = frames.FrameCount == 3 && frames[1].BufferSize == 0;
            if (frames.FrameCount != 2 && !delimited)
            {
                Drops.Count(DropReason.Malformed);
                continue;
            }
            var client = new ClientRoute(frames[0].ToByteArray(), delimited);
            ClientRequest? request;
            DropReason reason;
            long invalidRequestId;
            try
            {
                WireCodec.TryDecodeClientRequest(frames[frames.FrameCount - 1].ToByteArray(), config.ClusterId, out request, out reason, out invalidRequestId);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                (request, reason, invalidRequestId) = (null, DropReason.Malformed, -1);
            }
            if (request is null)
            {
                Drops.Count(reason);
                if (invalidRequestId >= 0) ReplyToClient(client, new ClientResponse(invalidRequestId, ClientStatus.Rejected, null, core!.Leader));
                continue;
            }
            clientRequests++;
            HandleClientRequest(client, request);
        }
        EndBatch();
    }

    /// <summary>
    /// While a batch is open, no sync starts; closing the batch starts one for all its writes.
    /// Inputs that arrive together (client requests, a burst of acknowledgements) thus share one
    /// fsync, and still nothing leaves before what it depends on is durable.
    /// </summary>
    private void BeginBatch() => batching = true;

    private void EndBatch()
    {
        batching = false;
        MaybeStartSync();
        inputLog?.Flush();
    }

    /// <summary>
    /// Hands every write issued so far to the disk thread, which writes and syncs them, unless a
    /// sync is running (its completion starts the next). The node's thread never touches the disk
    /// while it runs: a new term or vote, a snapshot or a log rewrite on a slow disk delays only
    /// what waits for it, never a heartbeat.
    /// </summary>
    private void MaybeStartSync()
    {
        if (syncRunning || unsubmitted.Count == 0) return;
        var through = writesIssued;
        syncingLog = (core!.Log.LastIndex, core.Log.LastTerm); // every write issued so far is in the log up to here
        var batch = unsubmitted;
        unsubmitted = [];
        var disk = storage!;
        syncRunning = true;
        diskThread!.Run(() =>
        {
            foreach (var write in batch) disk.Persist(write);
            disk.Sync();
        }, error => onSynced(through, error));
    }

    /// <summary>On the node's thread: the sync of the first <paramref name="through"/> writes finished.</summary>
    private void OnSynced(long through, Exception? error)
    {
        if (Faulted.IsCompleted) return;
        syncRunning = false;
        if (error is not null) throw new IOException($"writing and syncing the first {through} writes failed: {error.Message}", error);
        syncs++;
        MarkDurable(through);
        MaybeReportPersisted();
        MaybeStartSync(); // the writes that came in meanwhile
        inputLog?.Flush();
    }

    /// <summary>
    /// Thesis §10.2.1: tells a leader how far its log is durable, so that it counts itself in the
    /// commit majority (see <see cref="RaftOptions.LeaderPersistsInParallel"/>). Stepped between
    /// inputs, never inside one, so that the input log keeps the order the core saw.
    /// </summary>
    private void MaybeReportPersisted()
    {
        if (persistedToReport is not { } persisted || inputInHand is not null) return;
        persistedToReport = null;
        if (core!.Role == Role.Leader) Step(new LogPersisted(persisted.Index, persisted.Term));
    }

    /// <summary>The barrier itself: what waited for these writes leaves now, in the order it was produced.</summary>
    private void MarkDurable(long through)
    {
        writesDurable = through;
        if (config.Options.LeaderPersistsInParallel) persistedToReport = syncingLog;
        while (heldBack.TryPeek(out var next) && next.AfterWrites <= writesDurable)
        {
            heldBack.Dequeue();
            if (next.Message is { } message) Emit(message, next.AfterWrites);
            else Emit(next.Client!, next.Response!, next.AfterWrites);
        }
    }

    /// <summary>Whether something produced now must wait: a write issued before it is not yet durable.</summary>
    private bool MustWait => writesDurable < writesIssued || heldBack.Count > 0;

    /// <summary>Sends a message to a peer; like a client answer, it never leaves before the writes before it are durable.</summary>
    private void Send(Raft.Core.Messages.Message message)
    {
        // Thesis §10.2.1: a leader's AppendEntries promises nothing about its own disk (its term was
        // durable before it asked for votes), so it leaves at once, while the leader's own write of
        // the entries goes on; the core counts the leader's copy only once it is reported durable.
        if (config.Options.LeaderPersistsInParallel && message is Raft.Core.Messages.AppendEntries) Emit(message, writesDurable, early: true);
        else if (MustWait) heldBack.Enqueue(new Outbound(writesIssued, message, null, null));
        else Emit(message, writesIssued);
    }

    private void Emit(Raft.Core.Messages.Message message, long afterWrites, bool early = false)
    {
        Emitting?.Invoke(early ? $"send {message} early" : $"send {message}", afterWrites);
        if (transport!.Send(message.To, WireCodec.Encode(message, config.ClusterId))) messagesOut++;
    }

    private void HandleClientRequest(ClientRoute client, ClientRequest request)
    {
        if (core!.Role != Role.Leader)
        {
            ReplyToClient(client, new ClientResponse(request.RequestId, ClientStatus.NotLeader, null, core.Leader));
            return;
        }
        if (pendingReplies.Count + pendingReads.Count >= config.MaxPendingClientRequests)
        {
            ReplyToClient(client, new ClientResponse(request.RequestId, ClientStatus.Busy, null, config.Id)); // overloaded: retry shortly
            return;
        }
        if (store!.IsStale(request.Command))
        {
            // Older than this client's last applied write: its result is gone (only the latest is kept).
            ReplyToClient(client, new ClientResponse(request.RequestId, ClientStatus.Rejected, null, config.Id));
            return;
        }
        if (request.Command.Operation == KvOperation.Get && config.ReadIndexReads)
        {
            // Thesis §6.4: a read needs no log entry, only proof that we still lead (ReadIndex).
            var readId = nextReadId++;
            pendingReads[readId] = (client, request.RequestId, request.Command.Key);
            Step(new ReadIndex(readId));
            return;
        }
        // Registered before the step: a leader that is the only voter commits and applies the entry
        // within the step itself, and the apply must find whom to answer.
        var expected = (Index: core.Log.LastIndex + 1, core.Term);
        // One still waiting here lost its entry from our log: it may retry (its sequence number makes the retry apply once).
        if (pendingReplies.Remove(expected.Index, out var stale))
            ReplyToClient(stale.Client, new ClientResponse(stale.RequestId, ClientStatus.NotLeader, null, core.Leader));
        pendingReplies[expected.Index] = (client, request.RequestId, expected.Term);
        var output = Step(new Propose(request.Command.Encode()));
        var accepted = output?.Proposal is { Accepted: true } outcome ? outcome : null;
        if (accepted is null || (accepted.Index, accepted.Term) != expected)
        {
            // Refused, or appended elsewhere than expected: the registration follows the entry.
            if (pendingReplies.TryGetValue(expected.Index, out var mine) && ReferenceEquals(mine.Client, client) && mine.RequestId == request.RequestId)
                pendingReplies.Remove(expected.Index);
            if (accepted is not null && core.LastApplied < accepted.Index) pendingReplies[accepted.Index] = (client, request.RequestId, accepted.Term);
        }
        if (accepted is not null) return;
        if (output?.Proposal is { Refusal: ProposeRefusal.LeadershipTransferInProgress })
            ReplyToClient(client, new ClientResponse(request.RequestId, ClientStatus.Busy, null, null)); // thesis §3.10: retry shortly
        else
            ReplyToClient(client, new ClientResponse(request.RequestId, ClientStatus.NotLeader, null, output?.Proposal?.LeaderHint));
    }

    /// <summary>Answers a client; like a message, an answer never leaves before the writes before it are durable.</summary>
    private void ReplyToClient(ClientRoute client, ClientResponse response)
    {
        // Writing in parallel (thesis §10.2.1), the leader counts itself in a commit only once its
        // copy is durable, so an applied entry is durable on a majority whatever this node still
        // has to sync: its answer, like a read's (ReadIndex) or a refusal, waits for nothing.
        if (config.Options.LeaderPersistsInParallel) Emit(client, response, writesDurable, early: true);
        else if (MustWait) heldBack.Enqueue(new Outbound(writesIssued, null, client, response));
        else Emit(client, response, writesIssued);
    }

    private void Emit(ClientRoute client, ClientResponse response, long afterWrites, bool early = false)
    {
        Emitting?.Invoke(early ? $"reply #{response.RequestId} {response.Status} early" : $"reply #{response.RequestId} {response.Status}", afterWrites);
        var reply = new NetMQMessage();
        reply.Append(client.Identity);
        if (client.Delimited) reply.AppendEmptyFrame(); // a REQ socket's envelope: identity, empty delimiter, body
        reply.Append(WireCodec.EncodeClientResponse(response, config.ClusterId));
        clients!.TrySendMultipartMessage(TimeSpan.Zero, reply);
    }

    /// <summary>Feeds one input to the core and carries out its effects, in order.</summary>
    private Output? Step(Input input)
    {
        var node = core!;
        // The machine's real-time clock, shared by every node process: merging the nodes' input logs
        // by it keeps cause before effect (a step starts before what it sends is received).
        var now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        var outer = inputInHand; // a Compact is stepped from within the step that applied enough entries
        inputInHand = input;
        BeforeStep?.Invoke(input);
        var output = node.Step(input);
        Execute(output);
        inputLog?.WriteLine(InputLog.InputLine(now, input, config.ClusterId, stepDigest.Of(output, node, EffectsDigestForm.Binary)));
        if (!batching && outer is null) inputLog?.Flush();
        inputInHand = outer;
        MaybeReportPersisted(); // a sync that finished within this step
        if (input is not Compact) MaybeCompact();
        if (node.Role != lastRole || node.Term != lastTerm)
        {
            LogEvent("role", $"\"role\":\"{node.Role}\",\"term\":{node.Term}");
            lastRole = node.Role;
            lastTerm = node.Term;
        }
        MaybeLogConfiguration();
        UpdateMetrics();
        return output;
    }

    /// <summary>
    /// Persist effects are handed to the disk thread once the step (or the batch) is done, written
    /// and synced together; what follows them waits for that sync (thesis §3.8: nothing leaves before
    /// what it promises is durable).
    /// </summary>
    private void Execute(Output output)
    {
        foreach (var effect in output.Effects)
        {
            switch (effect)
            {
                case PersistHardState:
                    unsubmitted.Add(effect);
                    hardStateWrite = ++writesIssued;
                    break;
                case PersistEntries:
                    unsubmitted.Add(effect);
                    writesIssued++;
                    break;
                case PersistSnapshot persist:
                    EnsureRestorable(persist.Snapshot);
                    unsubmitted.Add(effect);
                    writesIssued++;
                    break;
                case RestoreSnapshot restore:
                    RestoreStateMachine(restore.Snapshot);
                    break;
                case Send send:
                    Send(send.Message);
                    break;
                case ApplyEntry apply:
                    Apply(apply.Entry);
                    break;
                case ReadReady ready:
                    readyReads.Add((ready.RequestId, ready.ReadIndex));
                    break;
                case ReadRefused refused when pendingReads.Remove(refused.RequestId, out var read):
                    ReplyToClient(read.Client, new ClientResponse(read.RequestId, ClientStatus.NotLeader, null, refused.LeaderHint));
                    break;
            }
        }
        ServeReadyReads();
        if (!batching) MaybeStartSync();
    }

    /// <summary>A confirmed read is answered once the state machine has applied up to its read index.</summary>
    private void ServeReadyReads()
    {
        if (readyReads.Count == 0) return;
        var applied = core!.LastApplied;
        foreach (var (readId, readIndex) in readyReads.Where(r => r.ReadIndex <= applied).ToList())
        {
            readyReads.Remove((readId, readIndex));
            if (!pendingReads.Remove(readId, out var read)) continue;
            // The store may be ahead of the core's applied index after a restart (entries it held
            // before): still only committed state, and at least the read index's.
            ReplyToClient(read.Client, new ClientResponse(read.RequestId, ClientStatus.Ok, new KvResult(true, store!.Get(read.Key)), config.Id));
        }
    }

    /// <summary>
    /// A snapshot's state comes from the leader, and no digest covers it: state that does not decode
    /// must not reach the disk, where it would stop every restart of this node. Throwing here makes
    /// the node fail-stop with its disk as it was.
    /// </summary>
    private void EnsureRestorable(Snapshot snapshot)
    {
        try
        {
            store!.CheckRestorable(snapshot);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{snapshot}: its state cannot be restored ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>
    /// A snapshot from the leader replaces the state machine. A proposal it covers may have
    /// committed or not, and its result is not ours to give: the answer is Timeout (outcome
    /// unknown; retry with the same sequence, which applies at most once).
    /// </summary>
    private void RestoreStateMachine(Snapshot snapshot)
    {
        store!.Restore(snapshot);
        foreach (var index in pendingReplies.Keys.Where(i => i <= snapshot.LastIncludedIndex).ToList())
        {
            pendingReplies.Remove(index, out var pending);
            ReplyToClient(pending.Client, new ClientResponse(pending.RequestId, ClientStatus.Timeout, null, core!.Leader));
        }
    }

    /// <summary>
    /// §7: every <see cref="NodeConfig.SnapshotEveryEntries"/> applied entries, snapshot the state
    /// machine and compact. Not while a durable store is ahead of the core (re-delivered entries it
    /// already holds after a restart): its state would not be the state at the snapshot's index.
    /// </summary>
    private void MaybeCompact()
    {
        var node = core!;
        if (config.SnapshotEveryEntries <= 0 || node.LastApplied - node.Log.SnapshotIndex < config.SnapshotEveryEntries) return;
        if (store!.LastApplied != node.LastApplied) return;
        Step(new Compact(node.LastApplied, store.Snapshot()));
    }

    private void Apply(LogEntry entry)
    {
        var waiting = pendingReplies.Remove(entry.Index, out var pending);
        if (entry.Index <= store!.LastApplied)
        {
            // After a restart the core re-delivers the entries since its snapshot; a durable store
            // holds some of them already, and applying one twice would run its command twice. No
            // reply waits on them: this incarnation proposes only after every committed entry.
            if (waiting) ReplyToClient(pending.Client, new ClientResponse(pending.RequestId, ClientStatus.Timeout, null, core!.Leader));
            return;
        }
        // Two writes of one client in flight at once: the older, applied after the newer, gets no result.
        var stale = waiting && pending.Term == entry.Term && entry.Kind == EntryKind.Command && store.IsStale(KvCommand.Decode(entry.Command));
        var result = store.Apply(entry);
        if (!waiting) return;
        ReplyToClient(pending.Client, pending.Term != entry.Term
            ? new ClientResponse(pending.RequestId, ClientStatus.NotLeader, null, core!.Leader) // our entry was replaced: retry
            : stale ? new ClientResponse(pending.RequestId, ClientStatus.Rejected, null, config.Id)
            : new ClientResponse(pending.RequestId, ClientStatus.Ok, KvResult.Decode(result), config.Id));
    }

    /// <summary>Logs the configuration in use when it changes and again when it commits, so that an operator (or the launcher) can follow membership.</summary>
    private void MaybeLogConfiguration()
    {
        var node = core!;
        var current = (node.ConfigurationIndex, node.CommitIndex >= node.ConfigurationIndex);
        if (current == loggedConfiguration) return;
        loggedConfiguration = current;
        var c = node.Configuration;
        LogEvent("configuration", $"\"index\":{node.ConfigurationIndex},\"committed\":{(current.Item2 ? "true" : "false")},\"voters\":\"{string.Join(",", c.Voters)}\",\"learners\":\"{string.Join(",", c.Learners)}\"");
    }

    private void UpdateMetrics()
    {
        var node = core!;
        var commit = Math.Min(node.CommitIndex, node.Log.LastIndex);
        metrics = new NodeMetrics(config.Id, Incarnation, node.Role, node.Term, node.Leader, node.CommitIndex, node.Log.LastIndex,
            node.Log.DigestAt(commit), messagesIn, messagesOut, Drops.Total, clientRequests, syncs,
            node.Configuration, node.ConfigurationIndex, Drops.Describe());
    }

    private int NextIncarnation()
    {
        var path = Path.Combine(config.DataDirectory, "incarnation");
        var previous = File.Exists(path) && int.TryParse(File.ReadAllText(path), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var next = previous + 1;
        using (var file = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture)));
            file.Flush(flushToDisk: true);
        }
        File.Move(path + ".tmp", path, overwrite: true);
        // The rename is durable only once the directory is: otherwise a crash could bring back the
        // old number, and a second incarnation would reuse the first one's message ids and input log.
        if (config.Fsync) DirectoryFsync.Run(config.DataDirectory);
        return next;
    }

    private void LogMetrics()
    {
        var m = metrics!;
        LogEvent("metrics", string.Create(CultureInfo.InvariantCulture,
            $"\"role\":\"{m.Role}\",\"term\":{m.Term},\"commit\":{m.CommitIndex},\"last\":{m.LastIndex},\"in\":{m.MessagesIn},\"out\":{m.MessagesOut},\"dropped\":{m.FramesDropped},\"droppedBy\":\"{m.DroppedByReason}\",\"clients\":{m.ClientRequests},\"syncs\":{m.Syncs},\"ticksHeld\":{ticksHeld}"));
    }

    private void LogEvent(string kind, string fields) =>
        Log($"{{\"t\":\"{DateTimeOffset.UtcNow:O}\",\"node\":\"{config.Id}\",\"event\":\"{kind}\",{fields}}}");

    /// <summary>Runs one poller callback; an exception from it stops the node (see <see cref="FailStop"/>).</summary>
    private void FailStopOnException(Action handle)
    {
        if (Faulted.IsCompleted) return; // the poller may still dispatch events that were ready with the failing one
        try
        {
            handle();
        }
        catch (Exception e)
        {
            try
            {
                FailStop(e);
            }
            catch (Exception stopping)
            {
                // Nothing may escape to the poller thread: an exception there ends the process (and a
                // test host with every node in it). Stopping itself failed: report both, and stop.
                faulted.TrySetResult(new NodeFault(config.Id, "fail-stop", new AggregateException(e, stopping), $"{stopping.GetType().Name}: {stopping.Message}"));
            }
        }
    }

    /// <summary>
    /// The core is not transactional: after an exception in a step its state in memory may be half
    /// changed, so continuing could break a promise. Stop instead: drop everything held back (a lost
    /// message or answer is an ordinary event for Raft and its clients), sync and close the disk (it
    /// holds only the writes of completed steps, or a prefix of the failing step's, as a crash might
    /// leave), log one line naming the input and the exception, and stop the poller.
    /// </summary>
    private void FailStop(Exception error)
    {
        var input = inputInHand is { } failing ? $"input '{failing}'" : "no input (syncing or sending after a step)";
        heldBack.Clear();
        string? storageError = null;
        try
        {
            CloseDisk();
            store?.Dispose();
        }
        catch (Exception e)
        {
            storageError = $"{e.GetType().Name}: {e.Message}";
        }
        var fault = new NodeFault(config.Id, input, error, storageError);
        LogEvent("fault", $"\"input\":\"{Json(input)}\",\"error\":\"{Json(error.ToString())}\",\"storage\":\"{Json(storageError ?? "synced and closed")}\"");
        try
        {
            inputLog?.Dispose();
        }
        catch (IOException)
        {
            // The input log only serves replay checks; the fault line above is what matters.
        }
        poller?.StopAsync();
        faulted.TrySetResult(fault);
    }

    /// <summary>Text escaped for a JSON string, readable (only quotes, backslashes and control characters are escaped).</summary>
    private static string Json(string text) => JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();

    /// <summary>Stops the poller thread, then releases sockets and files (NetMQ needs this order).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        poller?.Dispose(); // stops the poller first if it still runs
        diskThread?.Dispose(); // then the job under way, if any: it reports to the control queue, which must still be open
        discovery?.Dispose();
        transport?.Dispose();
        clients?.Dispose();
        control.Dispose();
        inputLog?.Dispose();
        CloseDisk();
        store?.Dispose();
    }

    /// <summary>
    /// Lets the disk thread finish its job under way, then writes what was issued after it, syncs
    /// and closes the storage: the disk keeps every write of the steps that completed (and of a
    /// failing step, the prefix it issued), as after a crash at that moment, and nothing is lost on a
    /// clean stop. Only once the node's thread is stopped or is the caller.
    /// </summary>
    private void CloseDisk()
    {
        diskThread?.Dispose();
        if (storage is null) return;
        try
        {
            foreach (var write in unsubmitted) storage.Persist(write);
            unsubmitted.Clear();
        }
        finally
        {
            storage.Dispose(); // syncs what was written
        }
    }
}
