using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Network;
using Raft.Simulation.Tracing;
using Raft.Tests.Support;

namespace Raft.Tests.Simulation;

/// <summary>
/// The trace is data: events are recorded without formatting, the digest covers a canonical binary
/// form (the same on any machine, in any culture), and text and NDJSON are made when read.
/// </summary>
public sealed class TraceTests
{
    private static SimulationOptions Chaos(ulong seed) => new()
    {
        Seed = seed, Nodes = 3, Faults = FaultProfile.Chaos, Network = LinkProfile.Unreliable, MaxClockDrift = 0.05, DurationMicros = 1_500_000,
        KeepTrace = true, SnapshotEveryEntries = 10,
    };

    [Test]
    public void An_event_is_encoded_as_the_format_says()
    {
        var output = new ByteWriter();
        TraceEncoding.Write(TraceEvent.Timeout(1234, new NodeId(2), 7), output);

        // time:i64 kind:u8 form:u8 actor:i32 first:i64 second:i64 third:i64, then the subject's tag 0 (none).
        var expected = new byte[8 + 1 + 1 + 4 + 8 + 8 + 8 + 1];
        BinaryPrimitives.WriteInt64LittleEndian(expected, 1234);
        expected[8] = (byte)TraceKind.Timeout;
        expected[9] = (byte)TraceForm.Plain;
        BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(10), 2);
        BinaryPrimitives.WriteInt64LittleEndian(expected.AsSpan(14), 7);
        Assert.That(output.Written.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void A_writer_that_feeds_its_hash_when_full_hashes_every_byte_once_in_order_and_never_grows()
    {
        var bytes = Enumerable.Range(0, 5_000).Select(i => (byte)(i * 7)).ToArray();
        var fed = new XxHash3();
        var output = new ByteWriter(64, hashWhenFull: fed);
        output.Int64(1234);
        output.Bytes(bytes.AsSpan(0, 100)); // crosses the buffer's end
        output.Text("key-value");
        output.Append(bytes); // far larger than the buffer: fed in pieces
        fed.Append(output.Written);

        var whole = new ByteWriter();
        whole.Int64(1234);
        whole.Bytes(bytes.AsSpan(0, 100));
        whole.Text("key-value");
        whole.Append(bytes);
        Assert.That(fed.GetCurrentHashAsUInt64(), Is.EqualTo(XxHash3.HashToUInt64(whole.Written)));
        Assert.That(output.Length, Is.LessThanOrEqualTo(64));
    }

    [Test]
    public void The_digest_does_not_depend_on_the_culture_the_process_runs_in()
    {
        var schedule = FaultScheduleText.Parse("at 200ms network loss=0.25 dup=0.1 reorder=0.5; at 600ms crash n2; at 900ms restart n2");
        var options = Chaos(5) with { Schedule = schedule };
        var before = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            var invariant = new Raft.Simulation.Simulation(options).Run().Digest;
            var commaCulture = (CultureInfo)CultureInfo.InvariantCulture.Clone(); // a culture with a decimal comma and another minus sign
            commaCulture.NumberFormat.NumberDecimalSeparator = ",";
            commaCulture.NumberFormat.NegativeSign = "\u2212";
            CultureInfo.CurrentCulture = commaCulture;
            Assert.That($"{0.25:0.##}", Is.EqualTo("0,25"), "the culture is in force");
            var comma = new Raft.Simulation.Simulation(options).Run().Digest;
            Assert.That(comma, Is.EqualTo(invariant));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Test]
    public void Every_event_has_a_text_line_and_an_ndjson_line_with_its_fields()
    {
        var simulation = new Raft.Simulation.Simulation(Chaos(11));
        simulation.Run();
        var events = simulation.Trace.All;
        Assert.That(events.Select(e => e.Kind).Distinct(), Is.SupersetOf(new[] { TraceKind.Send, TraceKind.Deliver, TraceKind.Role, TraceKind.Commit, TraceKind.Apply, TraceKind.Append, TraceKind.ClientCall, TraceKind.ClientReturn }));

        foreach (var e in events)
        {
            using var json = JsonDocument.Parse(e.ToJson());
            var root = json.RootElement;
            Assert.That(root.GetProperty("t").GetInt64(), Is.EqualTo(e.TimeMicros));
            Assert.That(root.GetProperty("kind").GetString(), Is.EqualTo(e.Kind.ToString().ToLowerInvariant()));
            Assert.That(root.GetProperty("node").GetString(), Is.EqualTo(e.Node));
            Assert.That(root.GetProperty("detail").GetString(), Is.EqualTo(e.Detail));
            Assert.That(e.ToText(), Does.EndWith(e.Detail).And.Contain(e.Node));
            if (e.Message is { } message)
            {
                var msg = root.GetProperty("msg");
                Assert.That(msg.GetProperty("type").GetString(), Is.EqualTo(message.Kind));
                Assert.That(msg.GetProperty("id").GetInt64(), Is.EqualTo(message.Id));
                Assert.That(msg.GetProperty("from").GetString(), Is.EqualTo(message.From.ToString()));
                Assert.That(msg.GetProperty("to").GetString(), Is.EqualTo(message.To.ToString()));
            }
        }
    }

    [Test]
    public void Role_and_commit_events_read_as_before()
    {
        Assert.That(TraceEvent.RoleChanged(5_000, new NodeId(1), Role.Follower, Role.Candidate, 3).ToText(),
            Is.EqualTo("   5.000ms n1   role         Follower -> Candidate in term 3"));
        Assert.That(TraceEvent.Committed(12_345, new NodeId(2), 4, 6).Detail, Is.EqualTo("commit 4 -> 6"));
        using var role = JsonDocument.Parse(TraceEvent.RoleChanged(5_000, new NodeId(1), Role.Candidate, Role.Leader, 3).ToJson());
        Assert.That(role.RootElement.GetProperty("to").GetString(), Is.EqualTo("leader"));
        Assert.That(role.RootElement.GetProperty("term").GetInt64(), Is.EqualTo(3));
    }

    [Test]
    public void An_applied_entry_that_is_not_a_key_value_command_still_reads()
    {
        // A scenario's preset logs hold plain text ("3@2"): reading such an event threw once, and took the viewer page with it.
        var entry = new Raft.Core.Log.LogEntry(3, 2, Raft.Core.Log.EntryKind.Command, System.Text.Encoding.UTF8.GetBytes("3@2"));
        Assert.That(TraceEvent.Applied(1, new NodeId(1), entry).Detail, Does.StartWith("3@2").And.Contain("not a key-value command"));
    }

    [Test]
    public void A_restart_records_the_log_term_and_commit_the_node_starts_from()
    {
        // A crash loses the writes not yet synced, so the log before a crash is not always the log after
        // it: the recover event says what the restarted node has, for a reader such as the viewer.
        var options = Chaos(3) with { KeepTrace = true, Schedule = FaultScheduleText.Parse("at 800ms crash n1; at 900ms restart n1") };
        var simulation = new Raft.Simulation.Simulation(options);
        SimulationSteps.Until(simulation, () => simulation.Trace.All.Any(e => e.Kind == TraceKind.Recover), "n1 restarted");
        var recover = simulation.Trace.All.Single(e => e.Kind == TraceKind.Recover);
        var core = simulation.Nodes[new NodeId(1)].Core;
        using var json = JsonDocument.Parse(recover.ToJson());
        var entries = json.RootElement.GetProperty("entries").EnumerateArray().Select(e => (e[0].GetInt64(), e[1].GetInt64())).ToList();
        var first = core.Log.SnapshotIndex + 1;
        var log = Enumerable.Range((int)first, (int)(core.Log.LastIndex - first + 1)).Select(i => ((long)i, core.Log.TermAt(i))).ToList();
        Assert.That(json.RootElement.GetProperty("node").GetString(), Is.EqualTo("n1"));
        Assert.That(core.Log.LastIndex, Is.GreaterThan(0), "n1 had entries on its disk at 800 ms");
        Assert.That(entries, Is.EqualTo(log));
        var snapshot = json.RootElement.TryGetProperty("snapshot", out var kept) ? kept.GetProperty("lastIndex").GetInt64() : 0;
        Assert.That(snapshot, Is.EqualTo(core.Log.SnapshotIndex));
        Assert.That(json.RootElement.GetProperty("term").GetInt64(), Is.EqualTo(core.Term));
        Assert.That(json.RootElement.GetProperty("commit").GetInt64(), Is.EqualTo(core.CommitIndex));
        Assert.That(recover.Detail, Does.StartWith($"restarted from disk: term {core.Term}"));
    }

    [Test]
    public void The_recent_window_keeps_the_last_events_in_order()
    {
        var trace = new Trace(keepAll: false, recentCapacity: 4);
        for (var t = 1; t <= 10; t++) trace.Add(TraceEvent.Timeout(t, new NodeId(1), t));
        Assert.That(trace.Recent.Select(e => e.TimeMicros), Is.EqualTo(new long[] { 7, 8, 9, 10 }));
        Assert.That(trace.Count, Is.EqualTo(10));
        Assert.That(trace.All, Is.Empty);
    }
}
