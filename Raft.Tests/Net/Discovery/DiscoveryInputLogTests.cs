using Raft.Core;
using Raft.Net.Parity;

namespace Raft.Tests.Net.Discovery;

/// <summary>A discovering server's input log replays although its address book grew after the header was written.</summary>
public sealed class DiscoveryInputLogTests
{
    [Test]
    public void A_header_with_an_open_address_book_and_the_options_discovery_turns_on_reads_back_and_accepts_messages_of_any_server()
    {
        var options = new RaftOptions { PreVote = true, CheckQuorum = true };
        var header = new InputLogHeader(new NodeId(2), 1, [], 42, 1_000_000_000, options, new HardState(0, null), [], "test",
            AddressBook: [new NodeId(2)], OpenAddressBook: true);
        var fromNewcomer = new Raft.Core.Inputs.Receive(new Raft.Core.Messages.RequestVote(new NodeId(9), new NodeId(2), 1, 5, 0, 0));
        var path = Path.Combine(Path.GetTempPath(), $"raft-discovery-inputlog-{Environment.ProcessId}-{Guid.NewGuid():N}.ndjson");
        try
        {
            File.WriteAllLines(path, [InputLog.HeaderLine(header), InputLog.InputLine(0, fromNewcomer, "test", 0)]);

            var read = InputLog.Read(path);

            Assert.That(read, Is.Not.Null);
            Assert.That(read!.Value.Header.OpenAddressBook, Is.True);
            Assert.That((read.Value.Header.Options.PreVote, read.Value.Header.Options.CheckQuorum), Is.EqualTo((true, true)));
            Assert.That(read.Value.Inputs.Single().Input.ToString(), Is.EqualTo(fromNewcomer.ToString()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void A_header_without_discovery_is_written_as_before()
    {
        var header = new InputLogHeader(new NodeId(1), 1, NodeId.Range(3), 42, 1_000_000_000, new RaftOptions(), new HardState(0, null), [], "test");

        Assert.That(InputLog.HeaderLine(header), Does.Not.Contain("openAddressBook").And.Not.Contain("preVote").And.Not.Contain("checkQuorum"));
    }
}
