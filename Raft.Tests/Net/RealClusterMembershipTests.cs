using System.Diagnostics;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Cluster;
using Raft.Net.Parity;
using Raft.Tests.Support;

namespace Raft.Tests.Net;

/// <summary>Membership changes (thesis §4) on real node processes, driven through the leader's stdin as an operator would.</summary>
[NonParallelizable]
public sealed class RealClusterMembershipTests
{
    private static readonly NodeId N1 = new(1), N4 = new(4);

    [Test]
    public void A_spare_is_added_and_an_original_node_removed_while_writes_keep_being_acknowledged_and_the_run_checks_out()
    {
        var root = Path.Combine(Path.GetTempPath(), $"raft-membership-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var acknowledged = new List<(KvCommand Command, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        try
        {
            using (var cluster = new LocalCluster(3, root, ["--no-fsync", "--snapshot-every", "50"], spares: 1))
            {
                cluster.StartAll();
                var leader = WaitFor(cluster.LatestLeader, 20, "a leader");
                var stop = false;
                var writer = BackgroundWork.Start("writer", () =>
                {
                    using var client = new KvClient(1, cluster.ClientAddresses, cluster.ClusterId);
                    for (var i = 0; !Volatile.Read(ref stop); i++)
                    {
                        var command = client.NextCommand(KvOperation.Append, "log", $"{i};");
                        if (client.Execute(command, DateTime.UtcNow + TimeSpan.FromSeconds(5)) is not null)
                            lock (acknowledged) acknowledged.Add((command, clock.Elapsed));
                    }
                });
                try
                {
                    ChangeMembershipUnderLoad(cluster, leader, acknowledged, clock);
                }
                finally
                {
                    // A writer left running past a failed assertion would outlive its sockets' context and take the test host down.
                    Volatile.Write(ref stop, true);
                    writer.Join(TimeSpan.FromSeconds(30)); // one Execute lasts at most 5 s
                }
                Thread.Sleep(300); // the last commits reach every member
                Assert.That(cluster.LatestCommittedConfiguration().Configuration.Voters, Is.EqualTo(new[] { new NodeId(2), new NodeId(3), N4 }));
                cluster.StopAll(TimeSpan.FromSeconds(10));
            }

            var report = RealRunChecker.Check(NodeId.Range(4).Select(id => Path.Combine(root, id.ToString())));
            Assert.That(report.ParityMismatches, Is.Zero, report.FirstMismatch);
            Assert.That(report.Safety, Is.Null);
            lock (acknowledged)
                Assert.That(acknowledged.Where(a => !report.CommittedCommands.Contains((a.Command.ClientId, a.Command.Sequence))), Is.Empty,
                    "every acknowledged write is committed");
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A follower refuses a change; the leader adds n4 (promoted once caught up), then removes n1, which is stopped; writes go on.</summary>
    private static void ChangeMembershipUnderLoad(LocalCluster cluster, NodeId leader, List<(KvCommand Command, TimeSpan At)> acknowledged, Stopwatch clock)
    {
        // On a loaded machine the node picked as a follower may just have won an election: pick again.
        string? refusal = null;
        for (var attempt = 0; attempt < 5 && refusal?.StartsWith("not leader", StringComparison.Ordinal) != true; attempt++)
        {
            var follower = cluster.InitialVoters.First(v => v != (cluster.LatestLeader() ?? leader));
            refusal = cluster.Ask(follower, "add n4", TimeSpan.FromSeconds(5));
        }
        Assert.That(refusal, Does.StartWith("not leader"), "a follower refuses and names the leader");

        Assert.That(AskLeader(cluster, "add n4"), Does.StartWith("accepted"));
        WaitFor(() => cluster.LatestCommittedConfiguration().Configuration.IsVoter(N4) ? true : (bool?)null, 15, "n4 to be promoted to voter");

        Assert.That(AskLeader(cluster, "remove n1"), Does.StartWith("accepted"));
        WaitFor(() => cluster.LatestCommittedConfiguration().Configuration.IsMember(N1) ? null : (bool?)true, 15, "the removal of n1 to commit");
        var removedAt = clock.Elapsed;
        cluster.Stop(N1, TimeSpan.FromSeconds(5));

        WaitFor(() => AcknowledgedAfter(acknowledged, removedAt) >= 20 ? true : (bool?)null, 15, "20 writes acknowledged after n1 left");
    }

    /// <summary>Sends a membership change to whichever node leads until one accepts it (a new leader may not be ready yet).</summary>
    private static string? AskLeader(LocalCluster cluster, string command)
    {
        string? answer = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (cluster.LatestLeader() is { } leader && (answer = cluster.Ask(leader, command, TimeSpan.FromSeconds(5))) is not null
                && answer.StartsWith("accepted", StringComparison.Ordinal)) return answer;
            Thread.Sleep(100);
        }
        return answer;
    }

    private static int AcknowledgedAfter(List<(KvCommand Command, TimeSpan At)> acknowledged, TimeSpan at)
    {
        lock (acknowledged) return acknowledged.Count(a => a.At > at);
    }

    private static T WaitFor<T>(Func<T?> probe, int seconds, string what) where T : struct
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value) return value;
            Thread.Sleep(20);
        }
        Assert.Fail($"timed out after {seconds}s waiting for {what}");
        return default;
    }
}
