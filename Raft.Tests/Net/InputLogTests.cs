using Raft.Net.Parity;

namespace Raft.Tests.Net;

public sealed class InputLogTests
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        directory = Path.Combine(Path.GetTempPath(), $"raft-inputlog-{Environment.ProcessId}-{TestContext.CurrentContext.Test.ID}");
        Directory.CreateDirectory(directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public void A_node_killed_before_its_header_was_written_counts_as_an_incarnation_that_did_nothing()
    {
        File.WriteAllText(Path.Combine(directory, "inputs-0001.ndjson"), "");
        File.WriteAllText(Path.Combine(directory, "inputs-0002.ndjson"), "{\"node\":1,\"incarn");

        Assert.That(InputLog.Read(Path.Combine(directory, "inputs-0001.ndjson")), Is.Null);
        Assert.That(InputLog.Read(Path.Combine(directory, "inputs-0002.ndjson")), Is.Null);
        var report = RealRunChecker.Check([directory]);
        Assert.That(report.Incarnations, Is.Zero);
        Assert.That(report.Ok, Is.True);
    }

    [Test]
    public void Every_kind_of_input_a_node_can_receive_is_recorded_and_read_back()
    {
        var members = Raft.Core.NodeId.Range(3);
        var header = new InputLogHeader(new Raft.Core.NodeId(1), 1, members, 42, 1_000_000_000, new Raft.Core.RaftOptions(),
            new Raft.Core.HardState(0, null), [], "test");
        Raft.Core.Inputs.Input[] inputs =
        [
            Raft.Core.Inputs.Tick.Instance, Raft.Core.Inputs.Campaign.Instance, new Raft.Core.Inputs.Propose([1, 2, 3]),
            new Raft.Core.Inputs.TransferLeadership(new Raft.Core.NodeId(2)), new Raft.Core.Inputs.ReadIndex(7),
            new Raft.Core.Inputs.Receive(new Raft.Core.Messages.RequestVote(new Raft.Core.NodeId(2), new Raft.Core.NodeId(1), 1, 5, 0, 0)),
            new Raft.Core.Inputs.ChangeMembership(Raft.Core.Membership.MembershipChangeKind.AddVoter, new Raft.Core.NodeId(4)),
            new Raft.Core.Inputs.ChangeMembership(Raft.Core.Membership.MembershipChangeKind.AddLearner, new Raft.Core.NodeId(5)),
            new Raft.Core.Inputs.ChangeMembership(Raft.Core.Membership.MembershipChangeKind.Remove, new Raft.Core.NodeId(2)),
        ];
        var path = Path.Combine(directory, "inputs-0001.ndjson");
        File.WriteAllLines(path, [InputLog.HeaderLine(header), .. inputs.Select((input, i) => InputLog.InputLine(i, input, "test", 0))]);

        var read = InputLog.Read(path);

        Assert.That(read, Is.Not.Null);
        Assert.That(read!.Value.Inputs.Select(r => r.Input.ToString()), Is.EqualTo(inputs.Select(i => i.ToString())));
    }

    [Test]
    public void A_damaged_line_in_the_middle_of_an_input_log_is_reported_with_its_line_number()
    {
        // A real node's log with its third line damaged.
        var lines = RealLog();
        lines[2] = "{not json";
        var path = Path.Combine(directory, "inputs-0001.ndjson");
        File.WriteAllLines(path, lines);
        var error = Assert.Throws<InvalidDataException>(() => InputLog.Read(path));
        Assert.That(error!.Message, Does.Contain("inputs-0001.ndjson:3"));
    }

    private static string[] RealLog()
    {
        using var cluster = new InProcessCluster(3);
        cluster.WaitForLeader();
        foreach (var host in cluster.Hosts) host.Dispose();
        return File.ReadAllLines(Path.Combine(cluster.DataDirectory(new Raft.Core.NodeId(1)), "inputs-0001.ndjson"));
    }

    /// <summary>
    /// A server started with --join has no initial voters, yet receives messages from every server
    /// in its address book: both are recorded, so that replay builds the same core and decodes the same messages.
    /// </summary>
    [Test]
    public void A_joining_server_records_its_empty_initial_configuration_and_its_address_book()
    {
        var book = Raft.Core.NodeId.Range(4).ToArray();
        var n4 = new Raft.Core.NodeId(4);
        var header = new InputLogHeader(n4, 1, [], 42, 1_000_000_000, new Raft.Core.RaftOptions(),
            new Raft.Core.HardState(0, null), [], "test", null, book);
        var append = new Raft.Core.Messages.AppendEntries(new Raft.Core.NodeId(1), n4, 2, 5, 0, 0,
            [new Raft.Core.Log.LogEntry(1, 2, Raft.Core.Log.EntryKind.Configuration, new Raft.Core.Membership.Configuration(Raft.Core.NodeId.Range(3), [n4]).Encode())], 0);
        var path = Path.Combine(directory, "inputs-0001.ndjson");
        File.WriteAllLines(path, [InputLog.HeaderLine(header), InputLog.InputLine(1, new Raft.Core.Inputs.Receive(append), "test", 0)]);

        var read = InputLog.Read(path)!.Value;
        var core = InputLog.CreateCore(read.Header);

        Assert.That(read.Header.Members, Is.Empty);
        Assert.That(read.Header.Servers, Is.EqualTo(book));
        Assert.That(core.Configuration, Is.EqualTo(Raft.Core.Membership.Configuration.Empty));
        core.Step(read.Inputs[0].Input);
        Assert.That(core.Configuration.Learners, Is.EqualTo(new[] { n4 }), "the leader's configuration entry made it a learner");
    }

    /// <summary>
    /// A single server knows no peer to address its starting log's carrier to. It was addressed to the
    /// server itself, which the codec refuses, so a single server's input log could not be read back
    /// (nor its run checked): "starting log does not decode (WrongRecipient)".
    /// </summary>
    [Test]
    public void A_single_servers_input_log_reads_back_with_its_starting_log()
    {
        var n1 = new Raft.Core.NodeId(1);
        var entries = new[] { new Raft.Core.Log.LogEntry(1, 1, Raft.Core.Log.EntryKind.NoOp, []), new Raft.Core.Log.LogEntry(2, 1, Raft.Core.Log.EntryKind.Command, [7, 8]) };
        var header = new InputLogHeader(n1, 2, [n1], 42, 2_000_000_000, new Raft.Core.RaftOptions(), new Raft.Core.HardState(1, n1), entries, "test");
        var path = Path.Combine(directory, "inputs-0002.ndjson");
        File.WriteAllLines(path, [InputLog.HeaderLine(header)]);

        var read = InputLog.Read(path)!.Value;

        Assert.That(read.Header.Servers, Is.EqualTo(new[] { n1 }));
        Assert.That(read.Header.Entries, Is.EqualTo(entries).Using<Raft.Core.Log.LogEntry>((a, b) => a.Index == b.Index && a.Term == b.Term && a.Kind == b.Kind && a.Command.SequenceEqual(b.Command)));
    }
}
