using Raft.Net.Cluster;

namespace Raft.Tests.Net;

public sealed class ClusterRunOptionsTests
{
    [TestCase(1, 5)]
    [TestCase(5, 5)]
    [TestCase(32, 32)]
    [TestCase(128, 128)]
    public void A_workload_has_at_least_five_keys_and_one_per_client_beyond(int clients, int keys) =>
        Assert.That(ClusterRunOptions.DefaultKeys(clients), Is.EqualTo(keys));
}
