using System.Diagnostics;
using Raft.Net.Commands;
using Raft.Net.Parity;

namespace Raft.Tests.Net;

/// <summary>
/// What `raft-net node` gives its core, read back from the header of the input log the node writes
/// when it starts (the options the replay will use): one AppendEntries with entries in flight per
/// follower unless --max-inflight says otherwise.
/// </summary>
public sealed class NodeOptionsTests
{
    private string directory = "";

    [SetUp]
    public void SetUp() => directory = Directory.CreateTempSubdirectory("raft-node-options-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(directory, recursive: true);

    [Test]
    public void A_node_keeps_one_append_in_flight_by_default() =>
        Assert.That(StartAndStop().MaxInflightAppends, Is.EqualTo(NodeCommand.DefaultMaxInflight).And.EqualTo(1));

    [Test]
    public void Max_inflight_sets_how_many_appends_a_leader_pipelines() =>
        Assert.That(StartAndStop("--max-inflight", "5").MaxInflightAppends, Is.EqualTo(5));

    /// <summary>Starts a single-voter node, tells it to quit at once, and returns the options in its input log.</summary>
    private Raft.Core.RaftOptions StartAndStop(params string[] extra)
    {
        var raft = Raft.Net.Cluster.LocalCluster.FreePort();
        var client = Raft.Net.Cluster.LocalCluster.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "raft-net.dll"), "node", "--id", "1", "--peers", $"1=tcp://127.0.0.1:{raft}",
                     "--client", $"tcp://127.0.0.1:{client}", "--data", directory }.Concat(extra))
            start.ArgumentList.Add(arg);
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        node.StandardInput.WriteLine("quit");
        node.StandardInput.Close();
        if (!node.WaitForExit(60_000))
        {
            node.Kill(entireProcessTree: true);
            Assert.Fail("the node did not quit");
        }
        Assert.That(node.ExitCode, Is.Zero, stdout.Result + stderr.Result);
        var log = InputLog.Read(Path.Combine(directory, "inputs-0001.ndjson"));
        Assert.That(log, Is.Not.Null, "the node wrote its input log's header");
        return log!.Value.Header.Options;
    }
}
