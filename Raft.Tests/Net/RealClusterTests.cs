using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Parity;
using Raft.Tests.Simulation;
using Raft.Tests.Support;

namespace Raft.Tests.Net;

[NonParallelizable]
public sealed class RealClusterTests
{
    [Test]
    public void A_three_node_cluster_elects_a_leader_and_serves_clients()
    {
        using var cluster = new InProcessCluster(3);
        cluster.WaitForLeader();
        using var client = cluster.Client(1);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);

        var put = client.Execute(client.NextCommand(KvOperation.Put, "x", "1"), deadline);
        var append = client.Execute(client.NextCommand(KvOperation.Append, "x", "2"), deadline);
        var get = client.Execute(client.NextCommand(KvOperation.Get, "x"), deadline);

        Assert.That(put?.Ok, Is.True);
        Assert.That(append?.Value, Is.EqualTo("12"));
        Assert.That(get?.Value, Is.EqualTo("12"));
    }

    [Test]
    public void A_get_is_answered_with_ReadIndex_and_writes_nothing_to_the_log()
    {
        using var cluster = new InProcessCluster(3);
        var leader = cluster.WaitForLeader();
        using var client = cluster.Client(2);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        Assert.That(client.Execute(client.NextCommand(KvOperation.Put, "y", "7"), deadline)?.Ok, Is.True);
        var lastIndexBefore = cluster[leader.Value].Metrics!.LastIndex;

        var get = client.Execute(client.NextCommand(KvOperation.Get, "y"), deadline);

        Assert.That(get?.Value, Is.EqualTo("7"));
        Assert.That(cluster[leader.Value].Metrics!.LastIndex, Is.EqualTo(lastIndexBefore), "a ReadIndex read appends no entry");
    }

    /// <summary>
    /// Scripted parity: the same script (n1 campaigns, then 20 puts in order; no random timeouts)
    /// ends with the same committed log digest on NetMQ as in the deterministic pump, on every node.
    /// </summary>
    [Test]
    public void The_same_script_commits_the_same_log_on_NetMQ_and_in_simulation()
    {
        var options = new RaftOptions { ElectionTicks = 100_000, HeartbeatTicks = 2 };
        var commands = Enumerable.Range(1, 20).Select(i => new KvCommand(1, i, KvOperation.Put, $"k{i % 3}", $"v{i}")).ToList();

        var simulated = new TestCluster(3, options);
        simulated.Elect(1);
        foreach (var command in commands)
        {
            simulated.Propose(1, command);
            simulated.DeliverAll();
        }
        simulated.TickAll(options.HeartbeatTicks);
        var expected = simulated[1].Log.DigestAt(21);
        Assert.That(simulated[2].CommitIndex, Is.EqualTo(21), "the simulated script commits the no-op and 20 puts");

        using var cluster = new InProcessCluster(3, options);
        cluster[1].Campaign();
        InProcessCluster.WaitUntil(() => cluster[1].Metrics?.Role == Role.Leader, 10, "n1 to lead");
        using var client = cluster.Client(1);
        foreach (var command in commands)
            Assert.That(client.Execute(command, DateTime.UtcNow + TimeSpan.FromSeconds(10)), Is.Not.Null);
        InProcessCluster.WaitUntil(() => cluster.Hosts.All(h => h.Metrics?.CommitIndex == 21), 10, "every node to commit 21 entries");

        Assert.That(cluster.Hosts.Select(h => h.Metrics!.CommittedDigest), Has.All.EqualTo(expected));
    }

    /// <summary>Replay parity: every input a real node received replays through a fresh core to the same effects.</summary>
    [Test]
    public void Every_input_of_a_real_run_replays_to_identical_effects_and_passes_the_safety_checker()
    {
        string[] directories;
        using (var cluster = new InProcessCluster(3))
        {
            cluster.WaitForLeader();
            using var client = cluster.Client(7);
            for (var i = 0; i < 30; i++)
                Assert.That(client.Execute(client.NextCommand(KvOperation.Append, "log", $"{i};"), DateTime.UtcNow + TimeSpan.FromSeconds(10)), Is.Not.Null);
            directories = NodeId.Range(3).Select(cluster.DataDirectory).ToArray();
            foreach (var host in cluster.Hosts) host.Dispose();
            var report = RealRunChecker.Check(directories);

            Assert.That(report.InputsReplayed, Is.GreaterThan(100));
            Assert.That(report.ParityMismatches, Is.Zero, report.FirstMismatch);
            Assert.That(report.Safety, Is.Null);
            Assert.That(report.Elections, Is.GreaterThanOrEqualTo(1));
            Assert.That(report.CommittedCommands, Has.Count.EqualTo(30));
        }
    }

    [Test]
    public void A_local_cluster_with_kill_9_cut_links_transfers_and_snapshots_loses_no_acknowledged_write_and_stays_linearizable()
    {
        var (code, stdout, stderr) = RaftNet.Run("cluster", "--nodes", "3", "--duration", "8s", "--kill-every", "2s", "--cut-every", "3s", "--clients", "3",
            "--transfer-every", "3s", "--snapshot-every", "200");
        TestContext.Out.WriteLine(stdout);
        Assert.That(code, Is.Zero, stdout + stderr);
        Assert.That(stdout, Does.Contain("replay parity     ok").And.Contain("every acknowledged write is committed").And.Contain("linearizable      ok"));
        var data = stdout.Split('\n').Single(line => line.StartsWith("data ", StringComparison.Ordinal))["data ".Length..].Trim();
        Assert.That(data, Does.StartWith("deleted"), "a passing run without --data deletes its data and does not name a folder that is gone");
        Assert.That(stdout + stderr, Does.Contain("(deleted if the run passes; --data DIR keeps it)"), "the start line says the folder it names may not outlive the run");
    }

    [TestCase("cluster", "--nodes", "4")]
    [TestCase("cluster", "--nodes", "x")]
    [TestCase("cluster", "--clients", "many")]
    [TestCase("cluster", "--loss", "0.6")]
    [TestCase("cluster", "--one-way")]
    [TestCase("node", "--snapshot-every", "x")]
    [TestCase("cluster", "--kill-every", "soon")]
    [TestCase("node", "--id", "1")]
    [TestCase("launch")]
    [TestCase("cluster", "--spares", "-1")]
    [TestCase("cluster", "--change-every", "often")]
    [TestCase("cluster", "--keys", "0")]
    [TestCase("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:7001", "--client", "tcp://127.0.0.1:8001", "--data", "d", "--join", "--members", "1")]
    [TestCase("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:7001,2=tcp://127.0.0.1:7002", "--client", "tcp://127.0.0.1:8001", "--data", "d", "--members", "2")]
    [TestCase("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:7001", "--client", "tcp://127.0.0.1:8001", "--data", "d", "--members", "1,5")]
    [TestCase("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:7001", "--client", "tcp://127.0.0.1:8001", "--data", "d", "--members", "one")]
    [TestCase("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:7001", "--client", "tcp://127.0.0.1:8001", "--data", "d", "--max-inflight", "0")]
    public void Bad_arguments_give_a_usage_message_and_exit_code_2(params string[] args)
    {
        var (code, _, stderr) = RaftNet.Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("raft-net:").And.Contain("Usage"));
    }
}

/// <summary>Runs the raft-net executable built next to the tests.</summary>
public static class RaftNet
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => RaftSim.RunDll("raft-net.dll", args);
}
