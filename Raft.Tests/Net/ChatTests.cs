using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Net.Chat;
using Raft.Net.Storage;
using Raft.Tests.Support;

namespace Raft.Tests.Net;

/// <summary>
/// <c>raft-net chat</c>: the record framing and block bound on their own, then participants in
/// plain mode against a real 3-node cluster on loopback (in process, and one as a process).
/// </summary>
[NonParallelizable]
public sealed class ChatTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [TestCase("alice", "hello")]
    [TestCase("b\tob", "a\ttab, a \\ backslash, a literal \\t and \\n")]
    [TestCase("carol: x", "say\tfake\tname")]
    [TestCase("\\", "\\")]
    [TestCase("zoë 🐢", "")]
    public void A_line_survives_the_record_framing_whatever_its_name_and_text_hold(string name, string text)
    {
        var line = ChatLine.Said(name, text);
        var block = ChatBlock.Append(ChatBlock.Append(null, ChatLine.Said("x", "before")), line);

        Assert.That(line.Check(), Is.Null);
        Assert.That(line.Encode().Count(c => c is '\t'), Is.EqualTo(2), "the only tabs in a record are its two separators");
        Assert.That(ChatBlock.Lines(block), Is.EqualTo(new[] { ChatLine.Said("x", "before"), line }));
    }

    [TestCase("alice", "two\nlines")]
    [TestCase("alice", "carriage\rreturn")]
    [TestCase("al\nice", "hello")]
    [TestCase("", "hello")]
    public void A_line_break_or_an_empty_name_is_refused(string name, string text) =>
        Assert.That(ChatLine.Said(name, text).Check(), Is.Not.Null);

    [Test]
    public void A_line_longer_than_a_record_may_be_is_refused() =>
        Assert.That(ChatLine.Said("alice", new string('x', ChatLine.MaxRecordBytes)).Check(), Does.StartWith("line too long"));

    [Test]
    public void A_record_no_chat_client_wrote_is_shown_raw_and_still_counts_as_a_line() =>
        Assert.That(ChatBlock.Lines("put by hand\nsay\tbad\\escape\tx\n"), Is.EqualTo(new[]
        {
            new ChatLine(ChatLineKind.Unreadable, "", "put by hand"),
            new ChatLine(ChatLineKind.Unreadable, "", "say\tbad\\escape\tx"),
        }));

    [Test]
    public void A_block_is_full_at_its_line_or_byte_limit_and_a_full_block_takes_no_more_lines()
    {
        string? block = null;
        for (var i = 0; i < ChatBlock.MaxLines; i++)
        {
            Assert.That(ChatBlock.IsFull(block), Is.False);
            block = ChatBlock.Append(block, ChatLine.Said("a", $"{i}"));
        }
        string? big = null;
        while (!ChatBlock.IsFull(big)) big = ChatBlock.Append(big, ChatLine.Said("a", new string('x', ChatLine.MaxRecordBytes - 16)));

        Assert.That(ChatBlock.IsFull(block), Is.True, "16 lines");
        Assert.That(ChatBlock.Lines(big), Has.Count.EqualTo(5), "lines of about 1 KiB: full at 4 KiB, after the fifth");
        Assert.Throws<InvalidOperationException>(() => ChatBlock.Append(block, ChatLine.Said("a", "one more")));
        Assert.That(Encoding.UTF8.GetByteCount(big!), Is.LessThan(ChatBlock.FullBytes + ChatLine.MaxRecordBytes), "the bound every get and compare-and-set stays under");
    }

    [Test]
    public void Participants_typing_at_once_all_see_every_line_exactly_once_in_the_same_order()
    {
        using var cluster = new InProcessCluster(3);
        cluster.WaitForLeader();
        // Names and texts hold the record's separator (tab) and its escape (backslash).
        string[] names = ["alice", "b\tob", "carol \\t"];
        var chats = names.Select((name, i) => new PlainRun(cluster, name, 100 + i)).ToArray();
        var said = names.SelectMany(name => Enumerable.Range(0, 10).Select(k => ChatLine.Said(name, $"line {k}\tof {name}").ToString())).ToArray();

        Parallel.ForEach(chats, chat =>
        {
            for (var k = 0; k < 10; k++) chat.Input.Type($"line {k}\tof {chat.Name}");
        });
        foreach (var chat in chats) chat.WaitUntilShown(said);
        foreach (var chat in chats) chat.Finish();
        var history = PlainRun.ReadRoom(cluster);

        foreach (var chat in chats)
        {
            var shown = chat.Output.Lines;
            Assert.That(history.Take(shown.Length), Is.EqualTo(shown), $"{chat.Name} saw the room's lines in the room's order");
            foreach (var line in said) Assert.That(shown.Count(l => l == line), Is.EqualTo(1), $"{chat.Name} saw '{line}' once");
        }
        foreach (var name in names)
        {
            var own = history.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)).ToArray();
            Assert.That(own, Is.EqualTo(Enumerable.Range(0, 10).Select(k => ChatLine.Said(name, $"line {k}\tof {name}").ToString())), "each one's lines in the order typed");
        }
        Assert.That(history, Has.Length.EqualTo(36), "30 lines, 3 joins, 3 leaves");
    }

    [Test]
    public void A_participant_that_joins_late_reads_the_whole_history_even_after_every_node_restarted_from_its_snapshot()
    {
        using var cluster = new InProcessCluster(3, snapshotEveryEntries: 10);
        cluster.WaitForLeader();
        var alice = new PlainRun(cluster, "alice", 1);
        var lines = Enumerable.Range(0, 40).Select(k => $"{k}").ToArray();
        foreach (var line in lines) alice.Input.Type(line);
        alice.Finish();
        Assert.That(alice.Output.Lines, Has.Length.EqualTo(42), "a join, 40 lines (three blocks), a leave");

        foreach (var id in NodeId.Range(3)) cluster.Restart(id);
        cluster.WaitForLeader();
        var late = PlainRun.ReadRoom(cluster);

        Assert.That(NodeId.Range(3).Select(id => SnapshotFile.Read(Path.Combine(cluster.DataDirectory(id), FileStorage.SnapshotFileName))), Has.All.Not.Null,
            "every node compacted its log: the history lives in the replicated state, not only in log entries");
        Assert.That(late, Is.EqualTo(alice.Output.Lines));
    }

    [Test]
    public void A_participant_goes_on_through_another_node_when_the_node_it_talks_to_stops()
    {
        using var cluster = new InProcessCluster(3);
        cluster.WaitForLeader();
        var shown = new ConcurrentQueue<string>();
        using var alice = Participant(cluster, "alice", 1);
        alice.LineShown += line => shown.Enqueue(line.ToString());
        alice.Start();
        alice.Type("before");
        InProcessCluster.WaitUntil(() => shown.Contains("alice: before"), Patience.TotalSeconds, "the first line");
        var lost = alice.Connection.Answered!.Value;

        cluster[lost.Value].Dispose();
        foreach (var k in Enumerable.Range(1, 3)) alice.Type($"after {k}");
        InProcessCluster.WaitUntil(() => shown.Contains("alice: after 3"), Patience.TotalSeconds, "the lines typed after the node stopped");

        string[] expected = ["* alice joined", "alice: before", "alice: after 1", "alice: after 2", "alice: after 3"];
        Assert.That(alice.Connection.Answered, Is.Not.EqualTo(lost), "another node answers now");
        Assert.That(shown, Is.EqualTo(expected));
    }

    /// <summary>What <see cref="ChatSession.Send"/>'s exactly-once rests on: a compare-and-set sent again under its sequence number is answered from the client's session, not applied again.</summary>
    [Test]
    public void A_compare_and_set_retried_with_its_sequence_number_adds_its_line_once()
    {
        using var cluster = new InProcessCluster(3);
        cluster.WaitForLeader();
        using var connection = new ChatConnection(7, cluster.ClientAddresses, cluster.ClusterId);
        var block = ChatBlock.Key("lobby", 0);
        var add = connection.NextCommand(KvOperation.CompareAndSet, block, ChatBlock.Append(null, ChatLine.Said("alice", "once")), expected: null);

        using var patience = new CancellationTokenSource(Patience); // Execute retries until answered: bound it
        var first = connection.Execute(add, patience.Token);
        var retry = connection.Execute(add, patience.Token);
        var read = connection.Execute(connection.NextCommand(KvOperation.Get, block), patience.Token);

        Assert.That(read, Is.Not.Null, $"no answer within {Patience.TotalSeconds} s ({string.Join("; ", cluster.Faults())})");
        Assert.That(first, Is.EqualTo(new KvResult(true, ChatLine.Said("alice", "once").Encode())));
        Assert.That(retry, Is.EqualTo(first), "the retry gets the first answer");
        Assert.That(ChatBlock.Lines(read!.Value), Has.Count.EqualTo(1));
    }

    [Test]
    public void Raft_net_chat_with_stdin_redirected_is_plain_lines_in_and_the_room_out()
    {
        using var cluster = new InProcessCluster(3);
        cluster.WaitForLeader();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "raft-net.dll"), "chat", "--name", "dave",
                     "--join", string.Join(",", cluster.ClientAddresses.Select(a => a.Value)), "--cluster-id", cluster.ClusterId,
                 })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.WriteLine("hi from a process");
        process.StandardInput.WriteLine("/who");
        process.StandardInput.Close();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("raft-net chat did not end at the end of its input");
        }

        string[] expected = ["* dave joined", "dave: hi from a process", "* dave left"];
        Assert.That(process.ExitCode, Is.Zero, stderr.Result);
        Assert.That(stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(expected), stderr.Result);
    }

    [Test]
    public void Three_chat_processes_typing_through_stdin_see_one_ordered_history_across_a_leader_kill()
    {
        using var cluster = new InProcessCluster(3);
        var leader = cluster.WaitForLeader();
        string[] names = ["ann", "ben", "cat"];
        var chats = names.Select(name => ChatProcess.Start(cluster, name)).ToList();
        try
        {
            foreach (var k in Enumerable.Range(1, 4))
                foreach (var chat in chats) chat.Type($"before {k}");
            var before = names.SelectMany(n => Enumerable.Range(1, 4).Select(k => $"{n}: before {k}")).ToList();
            foreach (var chat in chats) InProcessCluster.WaitUntil(() => before.All(chat.Shows), Patience.TotalSeconds, $"{chat.Name} to see the lines typed before the kill");

            cluster[leader.Value].Dispose(); // the leader goes; the two others elect a new one
            foreach (var k in Enumerable.Range(1, 4))
                foreach (var chat in chats) chat.Type($"after {k}");
            var all = before.Concat(names.SelectMany(n => Enumerable.Range(1, 4).Select(k => $"{n}: after {k}"))).ToList();
            foreach (var chat in chats) InProcessCluster.WaitUntil(() => all.All(chat.Shows), Patience.TotalSeconds, $"{chat.Name} to see every line");

            var histories = chats.Select(c => c.Said()).ToList();
            Assert.That(histories[0], Has.Count.EqualTo(24), "each line once");
            Assert.That(histories[1], Is.EqualTo(histories[0]), "ben sees ann's order");
            Assert.That(histories[2], Is.EqualTo(histories[0]), "cat sees ann's order");
            foreach (var name in names)
                Assert.That(histories[0].Where(l => l.StartsWith(name + ":", StringComparison.Ordinal)), Is.EqualTo(all.Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))), $"{name}'s lines in the order typed");
        }
        finally
        {
            foreach (var chat in chats) chat.Dispose();
        }
    }

    /// <summary>A <c>raft-net chat</c> process in plain mode: lines typed into its stdin, the room's lines read from its stdout as they come.</summary>
    private sealed class ChatProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> shown = new();

        private ChatProcess(string name, Process process)
        {
            Name = name;
            this.process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) shown.Enqueue(line); };
            process.BeginOutputReadLine();
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
        }

        public string Name { get; }

        public static ChatProcess Start(InProcessCluster cluster, string name)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[]
                     {
                         Path.Combine(AppContext.BaseDirectory, "raft-net.dll"), "chat", "--name", name,
                         "--join", string.Join(",", cluster.ClientAddresses.Select(a => a.Value)), "--cluster-id", cluster.ClusterId,
                     })
            {
                start.ArgumentList.Add(arg);
            }
            return new ChatProcess(name, Process.Start(start)!);
        }

        public void Type(string line) => process.StandardInput.WriteLine(line);

        public bool Shows(string line) => shown.Contains(line);

        /// <summary>The lines people said, in the order shown (joins and leaves left out: they depend on when each process started).</summary>
        public List<string> Said() => [.. shown.Where(l => !l.StartsWith("* ", StringComparison.Ordinal))];

        public void Dispose()
        {
            try
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(Patience)) process.Kill(entireProcessTree: true);
            }
            finally
            {
                process.Dispose();
            }
        }
    }

    [TestCase("chat")]
    [TestCase("chat", "--name", "alice")]
    [TestCase("chat", "--name", "alice", "--join", "nowhere")]
    [TestCase("chat", "--name", "alice", "--join", "1=tcp://127.0.0.1:8001,x=tcp://127.0.0.1:8002")]
    [TestCase("chat", "--name", "", "--join", "tcp://127.0.0.1:8001")]
    [TestCase("chat", "--name", "a-name-much-longer-than-32-characters", "--join", "tcp://127.0.0.1:8001")]
    [TestCase("chat", "--name", "alice", "--join", "tcp://127.0.0.1:8001", "--local")]
    [TestCase("chat", "--name", "alice", "--join", "tcp://127.0.0.1:8001", "--room", "a/b")]
    public void Bad_arguments_give_a_usage_message_and_exit_code_2(params string[] args)
    {
        var (code, _, stderr) = RaftNet.Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("raft-net:").And.Contain("Usage"));
    }

    private static ChatParticipant Participant(InProcessCluster cluster, string name, long clientId) =>
        new(new ChatSession(new ChatConnection(clientId, cluster.ClientAddresses, cluster.ClusterId), "lobby"), name)
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
        };

    /// <summary>A participant in plain mode on a thread of its own, typing from a queue and printing to a list.</summary>
    private sealed class PlainRun
    {
        private readonly BackgroundWork thread;
        private int exitCode = -1;

        public PlainRun(InProcessCluster cluster, string name, long clientId)
        {
            Name = name;
            var participant = Participant(cluster, name, clientId);
            thread = BackgroundWork.Start($"chat {name}", () =>
            {
                using (participant) exitCode = PlainChat.Run(participant, Input, Output, Notes);
            });
        }

        public string Name { get; }

        public TypedLines Input { get; } = new();

        public LineList Output { get; } = new();

        public LineList Notes { get; } = new();

        /// <summary>Every line of the room, read by a participant that types nothing (it joins late and leaves no trace).</summary>
        public static string[] ReadRoom(InProcessCluster cluster)
        {
            var reader = new PlainRun(cluster, "reader", 999);
            reader.Finish();
            return reader.Output.Lines;
        }

        public void WaitUntilShown(IEnumerable<string> lines) =>
            InProcessCluster.WaitUntil(() => !lines.Except(Output.Lines).Any(), Patience.TotalSeconds, $"{Name} to see every line");

        /// <summary>Ends the input and waits until the participant has sent what it was given and left.</summary>
        public void Finish()
        {
            Input.End();
            thread.Join(Patience); // fails the test if it did not finish, or threw
            Assert.That(exitCode, Is.Zero, string.Join(" | ", Notes.Lines));
        }
    }

    /// <summary>Stdin for a test: blocks until a line is typed; null after <see cref="End"/>.</summary>
    private sealed class TypedLines : TextReader
    {
        private readonly BlockingCollection<string?> lines = [];
        private volatile bool ended;

        public void Type(string line) => lines.Add(line);

        public void End() => lines.Add(null);

        public override string? ReadLine()
        {
            if (ended) return null;
            var line = lines.Take();
            ended = line is null;
            return line;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) lines.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Stdout for a test: the lines written, readable from any thread.</summary>
    private sealed class LineList : TextWriter
    {
        private readonly List<string> lines = [];

        public override Encoding Encoding => Encoding.UTF8;

        public string[] Lines
        {
            get
            {
                lock (lines) return [.. lines];
            }
        }

        public override void WriteLine(string? value)
        {
            lock (lines) lines.Add(value ?? "");
        }

        public override void Write(char value) => throw new NotSupportedException("a chat writes whole lines");
    }
}
