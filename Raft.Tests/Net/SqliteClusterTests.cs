namespace Raft.Tests.Net;

/// <summary>
/// <c>raft-net cluster --store sqlite</c>: node processes killed with SIGKILL at random moments, some
/// while applying, restart on their databases; the run checks each database against the committed log.
/// </summary>
[NonParallelizable]
public sealed class SqliteClusterTests
{
    /// <summary>No snapshots: every restart re-delivers the log from index 1 and the database must skip what it holds.</summary>
    [Test]
    public void Nodes_killed_with_SIGKILL_restart_on_databases_that_hold_the_committed_log_applied_once()
    {
        var stdout = RunPassing("cluster", "--nodes", "3", "--duration", "6s", "--kill-every", "1s", "--store", "sqlite");
        Assert.That(stdout, Does.Contain("stores            ok: 3 databases").And.Contain("kill -9"));
        Assert.That(stdout, Does.Not.Contain(" 0 kill -9"), "nodes were killed");
    }

    [Test]
    public void A_cluster_with_sqlite_stores_kill_9_and_snapshots_passes_every_check()
    {
        var stdout = RunPassing("cluster", "--nodes", "3", "--duration", "8s", "--kill-every", "2s", "--store", "sqlite", "--snapshot-every", "200");
        Assert.That(stdout, Does.Contain("replay parity     ok").And.Contain("safety            ok").And.Contain("linearizable      ok")
            .And.Contain("every acknowledged write is committed").And.Contain("stores            ok: 3 databases"));
    }

    [TestCase("cluster", "--store", "disk")]
    [TestCase("node", "--id", "1", "--peers", "1=tcp://127.0.0.1:7001", "--client", "tcp://127.0.0.1:8001", "--data", "d", "--store", "Sqlite3")]
    public void An_unknown_store_is_a_usage_error(params string[] args)
    {
        var (code, _, stderr) = RaftNet.Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("'memory'").And.Contain("'sqlite'").And.Contain("Usage"));
    }

    private static string RunPassing(params string[] args)
    {
        var (code, stdout, stderr) = RaftNet.Run(args);
        TestContext.Out.WriteLine(stdout);
        Assert.That(code, Is.Zero, stdout + stderr);
        return stdout;
    }
}
