using System.Collections.Concurrent;
using System.Globalization;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Cluster;
using Raft.Net.Hosting;
using Raft.Net.Storage;
using Raft.Tests.Support;

namespace Raft.Tests.Net;

/// <summary>
/// Thesis §3.8 on a real host: a message, a client reply or a read answer leaves a node only once
/// every write the node issued before it, in the same step or an earlier one, is synced. The disk is
/// watched through a wrapper and what leaves through the host's emit hook, in one ordered record.
/// </summary>
[NonParallelizable]
public sealed class HostDurabilityBarrierTests
{
    /// <param name="parallel">
    /// Thesis §10.2.1: a leader's AppendEntries leaves at once ("early"), the leader's own copy is
    /// synced meanwhile, and answers to clients leave at once; every other message still waits for its writes.
    /// </param>
    [TestCase(false)]
    [TestCase(true)]
    public void Nothing_leaves_a_real_node_before_every_earlier_write_is_synced(bool parallel)
    {
        var disks = new ConcurrentDictionary<NodeId, RecordingStorage>();
        using var cluster = new InProcessCluster(3, new RaftOptions { LeaderPersistsInParallel = parallel },
            createHost: config => RecordedHost(config, disks, fsync: true));
        var leader = cluster.WaitForLeader();

        // Concurrent clients make batches (several requests, several frames per fsync); a forced
        // campaign and a transfer make writes followed by sends outside any batch.
        var answered = RunClients(cluster, clients: 3, operationsEach: 25, firstClientId: 101);
        cluster[NodeId.Range(3).First(n => n != leader).Value].Campaign();
        var newLeader = cluster.WaitForLeader();
        cluster[newLeader.Value].TransferLeadership(NodeId.Range(3).First(n => n != newLeader));
        // New clients, new ids: a client id's sequence numbers must only grow. (Reusing ids 101-103
        // from 1 again once made every write of this round a stale no-op answered "ok"; such a write
        // is now Rejected.)
        answered += RunClients(cluster, clients: 3, operationsEach: 10, firstClientId: 201);

        Assert.That(answered, Is.EqualTo(3 * 35), "every operation was answered");
        foreach (var (node, disk) in disks.OrderBy(d => d.Key))
        {
            var events = disk.Snapshot();
            AssertNothingLeftBeforeItsWritesWereSynced(node, events);
            Assert.That(events.Count(e => e.StartsWith("send", StringComparison.Ordinal)), Is.GreaterThan(10), $"{node} sent messages");
            Assert.That(events.Count(e => e.StartsWith(RecordingStorage.Write, StringComparison.Ordinal)), Is.GreaterThan(10), $"{node} wrote");
            var appends = events.Count(e => e.StartsWith("send AppendEntries#", StringComparison.Ordinal));
            var early = events.Count(e => e.StartsWith("send AppendEntries#", StringComparison.Ordinal) && e.Contains(" early after ", StringComparison.Ordinal));
            Assert.That(early, Is.EqualTo(parallel ? appends : 0), $"{node}: a leader's AppendEntries leave early exactly when writing in parallel");
            Assert.That(events.Where(e => e.StartsWith("reply", StringComparison.Ordinal)).All(e => e.Contains(" early after ", StringComparison.Ordinal) == parallel), Is.True,
                $"{node}: answers leave early exactly when writing in parallel");
        }
        Assert.That(disks.Values.Sum(d => d.Snapshot().Count(e => e.StartsWith("reply", StringComparison.Ordinal))), Is.GreaterThanOrEqualTo(3 * 35),
            "the clients' answers, reads included, went through the hook");
    }

    /// <summary>
    /// The only voter commits and applies a write in the step that appends it (or, writing in
    /// parallel, in the step that hears it is durable): the answer must still wait for the entry's sync.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void A_single_voter_answers_a_write_only_once_its_entry_is_synced(bool parallel)
    {
        var disks = new ConcurrentDictionary<NodeId, RecordingStorage>();
        using var cluster = new InProcessCluster(1, new RaftOptions { LeaderPersistsInParallel = parallel },
            createHost: config => RecordedHost(config, disks, fsync: true));
        cluster.WaitForLeader();

        var answered = RunClients(cluster, clients: 2, operationsEach: 15, firstClientId: 101);

        Assert.That(answered, Is.EqualTo(2 * 15), "every operation was answered");
        var events = disks[new NodeId(1)].Snapshot();
        AssertNothingLeftBeforeItsWritesWereSynced(new NodeId(1), events);
        Assert.That(events.Count(e => e.StartsWith("reply", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(2 * 15));
    }

    /// <summary>
    /// Walks one node's record: whatever leaves ("... after N": the node had issued N writes when it
    /// produced it) must come after a sync that covers those N writes. Writes issued later may still
    /// be unsynced: the node goes on stepping while its disk syncs.
    /// </summary>
    internal static void AssertNothingLeftBeforeItsWritesWereSynced(NodeId node, IReadOnlyList<string> events)
    {
        long durable = 0, written = 0;
        var lastSync = -1;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.StartsWith(RecordingStorage.Write, StringComparison.Ordinal))
                written = long.Parse(e.Split(' ')[1], CultureInfo.InvariantCulture);
            else if (e.StartsWith(RecordingStorage.SyncDone, StringComparison.Ordinal))
            {
                var through = long.Parse(e.Split(' ')[1], CultureInfo.InvariantCulture);
                Assert.That(through, Is.LessThanOrEqualTo(written), $"{node}: '{e}' (event {i}) covers writes never made");
                if (through > durable) (durable, lastSync) = (through, i);
            }
            else if ((e.StartsWith("send AppendEntries#", StringComparison.Ordinal) || e.StartsWith("reply", StringComparison.Ordinal)) && e.Contains(" early after ", StringComparison.Ordinal))
            {
                // Thesis §10.2.1: a leader's AppendEntries waits for no write of its own, and with
                // it an answer to a client (what it reports is committed, so durable on a majority).
            }
            else if (e.StartsWith("send", StringComparison.Ordinal) || e.StartsWith("reply", StringComparison.Ordinal))
            {
                var after = long.Parse(e[(e.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                Assert.That(after, Is.LessThanOrEqualTo(written), $"{node}: '{e}' (event {i}) claims writes never made");
                if (after > durable)
                    Assert.Fail($"{node}: '{e}' (event {i}) left before its {after} writes were synced (only {durable} were):\n  " +
                        string.Join("\n  ", events.Skip(Math.Max(0, lastSync)).Take(i - Math.Max(0, lastSync) + 1)));
            }
        }
    }

    /// <summary>
    /// A host whose disk and emits are recorded in <paramref name="disks"/>. With <paramref name="fsync"/>
    /// it syncs for real (the configuration's setting otherwise): only then does the fsync run on the sync thread.
    /// </summary>
    internal static NodeHost RecordedHost(NodeConfig config, ConcurrentDictionary<NodeId, RecordingStorage> disks,
        Action<RecordingStorage, Raft.Core.Inputs.Input>? beforeStep = null, Action<string>? log = null, bool fsync = false) =>
        new(config)
        {
            Log = log ?? (_ => { }),
            OpenStorage = c => disks[c.Id] = new RecordingStorage(FileStorage.Open(c.DataDirectory, fsync || c.Fsync)),
            Emitting = (what, afterWrites) => disks[config.Id].Record($"{what} after {afterWrites}"),
            BeforeStep = input => beforeStep?.Invoke(disks[config.Id], input),
        };

    private static int RunClients(InProcessCluster cluster, int clients, int operationsEach, long firstClientId)
    {
        var answered = 0;
        var threads = Enumerable.Range(1, clients).Select(c => BackgroundWork.Start($"client {c}", () =>
        {
            using var client = cluster.Client(firstClientId - 1 + c);
            for (var i = 0; i < operationsEach; i++)
            {
                var command = (i % 3) switch
                {
                    0 => client.NextCommand(KvOperation.Put, $"k{c}", $"{i}"),
                    1 => client.NextCommand(KvOperation.Append, $"k{c}", $"{i};"),
                    _ => client.NextCommand(KvOperation.Get, $"k{c}"),
                };
                if (client.Execute(command, DateTime.UtcNow + TimeSpan.FromSeconds(10)) is not null) Interlocked.Increment(ref answered);
            }
        })).ToList();
        // Each Execute gives up after 10 s; a client never waits longer than that per operation.
        threads.ForEach(t => t.Join(TimeSpan.FromSeconds(10 * operationsEach + 30)));
        return answered;
    }
}
