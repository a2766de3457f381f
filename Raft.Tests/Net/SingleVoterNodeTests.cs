using Raft.Core.StateMachine;

namespace Raft.Tests.Net;

/// <summary>
/// A cluster of one voter commits and applies a proposal within the very step that appends it;
/// the host must already know whom to answer when that apply happens.
/// </summary>
[NonParallelizable]
public sealed class SingleVoterNodeTests
{
    [Test]
    public void A_single_voter_node_answers_writes_and_reads()
    {
        using var cluster = new InProcessCluster(1);
        cluster.WaitForLeader();
        using var client = cluster.Client(1);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);

        var put = client.Execute(client.NextCommand(KvOperation.Put, "x", "1"), deadline);
        var append = client.Execute(client.NextCommand(KvOperation.Append, "x", "2"), deadline);
        var get = client.Execute(client.NextCommand(KvOperation.Get, "x"), deadline);

        Assert.That(put?.Ok, Is.True, "the put is answered");
        Assert.That(append?.Value, Is.EqualTo("12"));
        Assert.That(get?.Value, Is.EqualTo("12"));
        Assert.That(client.Attempts, Is.EqualTo(3), "each command is answered at its first attempt");
    }
}
