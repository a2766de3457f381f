using Raft.Core;
using Raft.Net.Cluster;

namespace Raft.Tests.Net;

/// <summary>
/// Network faults made by the kernel (<see cref="KernelNetwork"/>): each node in its own network
/// namespace, cuts and loss as iptables rules that the nodes know nothing of. Where namespaces or
/// iptables cannot be used (not root, tools missing), these tests say why and are reported skipped.
/// </summary>
[NonParallelizable]
public sealed class KernelNetworkTests
{
    private string root = "";

    [SetUp]
    public void RequireKernelNetworks()
    {
        if (KernelNetwork.WhyUnavailable() is { } why) Assert.Ignore(why);
        root = Path.Combine(Path.GetTempPath(), $"raft-kernel-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void DeleteData()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>The nodes are not told of the cut: only the kernel's dropped packets can make the others elect a new leader.</summary>
    [Test]
    public void A_leader_cut_off_in_the_kernel_is_replaced_and_the_namespaces_are_gone_afterwards()
    {
        string prefix;
        using (var network = KernelNetwork.Create(NodeId.Range(3)))
        {
            prefix = network.LaunchPrefix(new NodeId(1))[3][..^1];
            using var cluster = new LocalCluster(3, root, ["--tick", "10ms", "--no-fsync"], network: network);
            cluster.StartAll();
            var first = WaitForLeader(cluster, _ => true, "a first leader");

            foreach (var other in NodeId.Range(3).Where(n => n != first)) network.Cut(first, other);
            var second = WaitForLeader(cluster, l => l != first, "another leader once the first is cut off");

            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(network.Cuts, Is.EqualTo(2));
            cluster.StopAll(TimeSpan.FromSeconds(10));
        }
        Assert.That(Namespaces(), Has.None.StartsWith(prefix), "disposing the network deletes its namespaces");
    }

    /// <summary>The usual checks of a cluster run (replay parity, safety, linearizability, no acknowledged write lost) with kernel faults.</summary>
    [Test]
    public void A_cluster_run_with_kills_partitions_one_way_cuts_and_loss_in_the_kernel_passes_every_check()
    {
        var options = new ClusterRunOptions
        {
            Nodes = 3, Duration = TimeSpan.FromSeconds(10), KillEvery = TimeSpan.FromSeconds(3), PartitionEvery = TimeSpan.FromSeconds(5),
            CutEvery = TimeSpan.FromSeconds(2), KernelNetwork = true, OneWayCuts = true, Loss = 0.01, DataRoot = root,
        };

        var summary = ClusterRun.Execute(options, line => TestContext.Out.WriteLine(line));

        TestContext.Out.Write(summary.Render());
        Assert.That(summary.Ok, Is.True, "every check passes");
        Assert.That(summary.Kills, Is.GreaterThanOrEqualTo(2));
        Assert.That(summary.Partitions, Is.GreaterThanOrEqualTo(1));
        Assert.That(summary.Network, Does.StartWith("kernel"));
    }

    private static NodeId WaitForLeader(LocalCluster cluster, Func<NodeId, bool> wanted, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (cluster.LatestLeader() is { } leader && wanted(leader)) return leader;
            Thread.Sleep(20);
        }
        Assert.Fail($"timed out waiting for {what}");
        return default;
    }

    private static List<string> Namespaces()
    {
        var list = new System.Diagnostics.ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(list)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];
    }
}
