using System.Collections.Concurrent;
using System.IO.Pipes;
using Raft.Core;
using Raft.Core.Inputs;
using Raft.Core.Messages;
using Raft.Core.StateMachine;
using Raft.Net.Commands;
using Raft.Net.Hosting;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

/// <summary>
/// The core is not transactional: once a step has thrown, its state in memory cannot be trusted.
/// The host then stops at once (fail-stop), sends nothing more, closes its disk with every
/// completed write synced, and says which input it was handling and what was thrown.
/// </summary>
[NonParallelizable]
public sealed class FailStopTests
{
    private const string Injected = "injected: the core failed on this input";

    [Test]
    public void A_node_whose_step_throws_stops_sends_nothing_more_keeps_its_synced_writes_and_says_why()
    {
        var disks = new ConcurrentDictionary<NodeId, RecordingStorage>();
        var logs = new ConcurrentDictionary<NodeId, ConcurrentQueue<string>>();
        var armed = 0; // the id of the node whose next input carrying log entries throws; 0: none
        string? failing = null;
        using var cluster = new InProcessCluster(3, createHost: config => HostDurabilityBarrierTests.RecordedHost(config, disks,
            beforeStep: (disk, input) =>
            {
                disk.Record($"step {input}");
                // Entries reach a follower in AppendEntries, and a leader (it may have been elected meanwhile) in a proposal.
                if (Volatile.Read(ref armed) == config.Id.Value && input is Receive { Message: AppendEntries { Entries.Count: > 0 } } or Propose)
                {
                    Volatile.Write(ref failing, input.ToString());
                    throw new InvalidOperationException(Injected);
                }
            },
            log: line => logs.GetOrAdd(config.Id, _ => new()).Enqueue(line)));
        var leader = cluster.WaitForLeader();
        var victim = NodeId.Range(3).First(n => n != leader);
        var host = cluster[victim.Value];
        using var client = cluster.Client(1);
        for (var i = 0; i < 5; i++)
            Assert.That(client.Execute(client.NextCommand(KvOperation.Put, "x", $"{i}"), DateTime.UtcNow + TimeSpan.FromSeconds(10)), Is.Not.Null);
        InProcessCluster.WaitUntil(() => host.Metrics!.CommitIndex >= 6, 10, "the victim to hold the no-op and five puts");
        var before = host.Metrics!;

        Volatile.Write(ref armed, victim.Value);
        Assert.That(client.Execute(client.NextCommand(KvOperation.Put, "x", "after"), DateTime.UtcNow + TimeSpan.FromSeconds(10)), Is.Not.Null,
            "the two other nodes still commit");
        Assert.That(host.Faulted.Wait(TimeSpan.FromSeconds(10)), Is.True, "the victim stopped itself");

        var fault = host.Faulted.Result;
        Assert.That(fault.Node, Is.EqualTo(victim));
        Assert.That(fault.Input, Is.EqualTo($"input '{failing}'"));
        Assert.That(fault.Error.Message, Is.EqualTo(Injected));
        Assert.That(fault.StorageError, Is.Null);
        Assert.That(logs[victim].Where(l => l.Contains("\"event\":\"fault\"", StringComparison.Ordinal)).ToList(),
            Has.Count.EqualTo(1).And.All.Contain(failing!).And.All.Contain(Injected), "one log line names the input and the exception");

        // After the failing step: the disk is synced and closed, and nothing else happens, ever.
        var events = disks[victim].Snapshot();
        var failed = events.LastIndexOf($"step {failing}");
        Assert.That(failed, Is.GreaterThan(0));
        // The failing step threw before the core stepped, so it issued no write: what the disk thread
        // still writes and syncs after it belongs to earlier steps.
        Assert.That(events.Skip(failed + 1).Where(e => !e.StartsWith(RecordingStorage.SyncDone, StringComparison.Ordinal) && !e.StartsWith(RecordingStorage.Write, StringComparison.Ordinal)),
            Is.SubsetOf(new[] { RecordingStorage.Close }), "after the failing step, only writes and syncs of earlier steps, and the close");
        Assert.That(events[^1], Is.EqualTo(RecordingStorage.Close));
        HostDurabilityBarrierTests.AssertNothingLeftBeforeItsWritesWereSynced(victim, events);
        Thread.Sleep(100);
        Assert.That(disks[victim].Snapshot(), Has.Count.EqualTo(events.Count), "no tick, frame or client request is handled after the fault");

        // What the victim had committed and the term it had reached are on its disk (an election
        // may still have moved it on before the fault).
        using var reopened = FileStorage.Open(cluster.DataDirectory(victim), fsync: false);
        var persisted = reopened.Load();
        Assert.That(persisted.Entries[^1].Index, Is.GreaterThanOrEqualTo(before.CommitIndex));
        Assert.That(persisted.HardState.Term, Is.GreaterThanOrEqualTo(before.Term));
    }

    [Test]
    public void A_node_process_that_faults_prints_one_line_on_stderr_and_exits_with_code_3()
    {
        var root = Path.Combine(Path.GetTempPath(), $"raft-failstop-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var config = new NodeConfig
        {
            Id = new NodeId(1),
            RaftAddresses = new SortedDictionary<NodeId, string> { [new NodeId(1)] = $"tcp://127.0.0.1:{Raft.Net.Cluster.LocalCluster.FreePort()}" },
            ClientAddress = $"tcp://127.0.0.1:{Raft.Net.Cluster.LocalCluster.FreePort()}",
            DataDirectory = root,
            Fsync = false,
        };
        using var stdin = new AnonymousPipeServerStream(PipeDirection.Out); // stays open: the operator says nothing
        using var commands = new StreamReader(new AnonymousPipeClientStream(PipeDirection.In, stdin.ClientSafePipeHandle));
        var output = new StringWriter();
        var errors = new StringWriter();
        try
        {
            using var host = new NodeHost(config)
            {
                Log = _ => { },
                BeforeStep = input =>
                {
                    if (input is Tick) throw new InvalidOperationException(Injected);
                },
            };

            var code = NodeCommand.Run(host, commands, output, errors);

            Assert.That(code, Is.EqualTo(NodeFault.ExitCode).And.EqualTo(3));
            Assert.That(errors.ToString(), Is.EqualTo($"raft-net node: n1 stopped (fail-stop) on input 'tick': InvalidOperationException: {Injected}; storage synced and closed{Environment.NewLine}"));
        }
        finally
        {
            stdin.Dispose(); // ends the operator's read
            Directory.Delete(root, recursive: true);
        }
    }
}
