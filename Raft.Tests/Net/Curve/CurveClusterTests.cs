using Raft.Net.Cluster;

namespace Raft.Tests.Net.Curve;

/// <summary><c>raft-net cluster --curve</c>: node processes with Curve on pass the usual checks, through kills and cut links.</summary>
[NonParallelizable]
public sealed class CurveClusterTests
{
    [Test]
    public void A_cluster_run_with_Curve_kills_and_cuts_passes_every_check()
    {
        var root = Path.Combine(Path.GetTempPath(), $"raft-curve-cluster-{Guid.NewGuid():N}");
        try
        {
            var options = new ClusterRunOptions
            {
                Nodes = 3, Curve = true, Duration = TimeSpan.FromSeconds(6), KillEvery = TimeSpan.FromSeconds(2.5), CutEvery = TimeSpan.FromSeconds(2),
                Clients = 2, Fsync = false, DataRoot = root,
            };

            var summary = ClusterRun.Execute(options, line => TestContext.Out.WriteLine(line));

            TestContext.Out.Write(summary.Render());
            Assert.That(summary.Ok, Is.True, "replay parity, safety, linearizability, no lost write, recovery");
            Assert.That(summary.Completed, Is.GreaterThan(0));
            var starts = summary.NodeLog.Where(l => l.Contains("\"event\":\"start\"", StringComparison.Ordinal)).ToList();
            Assert.That(starts, Is.Not.Empty.And.All.Contain("\"curve\":true"), "every node (and every restart) ran with Curve");
            Assert.That(summary.NodeLog.Where(l => l.Contains("\"event\":\"metrics\"", StringComparison.Ordinal)),
                Has.None.Contain("BadSeal").And.None.Contain("UnknownKey"), "members never fail each other's seals");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
