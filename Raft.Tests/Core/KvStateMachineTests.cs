using Raft.Core.Log;
using Raft.Core.StateMachine;

namespace Raft.Tests.Core;

/// <summary>The key-value store and its at-most-once client sessions (thesis §6.3).</summary>
public sealed class KvStateMachineTests
{
    private static KvCommand Cmd(long client, long sequence, KvOperation op, string key, string? value = null, string? expected = null) =>
        new(client, sequence, op, key, value, expected);

    [Test]
    public void Put_sets_a_value_and_get_reads_it()
    {
        var kv = new KvStateMachine();
        Assert.That(kv.Execute(Cmd(1, 1, KvOperation.Get, "x")), Is.EqualTo(new KvResult(true, null)), "absent key");
        Assert.That(kv.Execute(Cmd(1, 2, KvOperation.Put, "x", "a")), Is.EqualTo(new KvResult(true, "a")));
        Assert.That(kv.Execute(Cmd(1, 3, KvOperation.Put, "x", "b")), Is.EqualTo(new KvResult(true, "b")), "put overwrites");
        Assert.That(kv.Execute(Cmd(1, 4, KvOperation.Get, "x")), Is.EqualTo(new KvResult(true, "b")));
    }

    [Test]
    public void Append_extends_a_value_and_treats_an_absent_key_as_empty()
    {
        var kv = new KvStateMachine();
        Assert.That(kv.Execute(Cmd(1, 1, KvOperation.Append, "x", "ab")).Value, Is.EqualTo("ab"));
        Assert.That(kv.Execute(Cmd(1, 2, KvOperation.Append, "x", "cd")).Value, Is.EqualTo("abcd"));
        Assert.That(kv.Values["x"], Is.EqualTo("abcd"));
    }

    [Test]
    public void Compare_and_set_changes_the_value_only_when_the_expected_value_is_current()
    {
        var kv = new KvStateMachine();
        Assert.That(kv.Execute(Cmd(1, 1, KvOperation.CompareAndSet, "x", "a", expected: null)), Is.EqualTo(new KvResult(true, "a")), "absent = null");
        Assert.That(kv.Execute(Cmd(1, 2, KvOperation.CompareAndSet, "x", "b", expected: "z")), Is.EqualTo(new KvResult(false, "a")),
            "a failed cas reports the current value");
        Assert.That(kv.Values["x"], Is.EqualTo("a"));
        Assert.That(kv.Execute(Cmd(1, 3, KvOperation.CompareAndSet, "x", "b", expected: "a")), Is.EqualTo(new KvResult(true, "b")));
    }

    [Test]
    public void A_retried_command_is_applied_once_and_answered_with_the_same_result()
    {
        var kv = new KvStateMachine();
        var append = Cmd(7, 1, KvOperation.Append, "x", "a");
        var first = kv.Execute(append);
        kv.Execute(Cmd(8, 1, KvOperation.Append, "x", "b")); // another client in between

        var retry = kv.Execute(append);

        Assert.That(retry, Is.EqualTo(first), "the answer the client missed, not a fresh one");
        Assert.That(kv.Values["x"], Is.EqualTo("ab"), "applied once");
        Assert.That(kv.CommandsExecuted, Is.EqualTo(2));
    }

    [Test]
    public void A_retried_command_in_two_log_entries_is_applied_once()
    {
        // A client retries through the log after a leader change: both entries commit.
        var kv = new KvStateMachine();
        var bytes = Cmd(7, 1, KvOperation.Append, "x", "a").Encode();

        var first = kv.Apply(new LogEntry(1, 1, EntryKind.Command, bytes));
        var second = kv.Apply(new LogEntry(2, 2, EntryKind.Command, bytes));

        Assert.That(second, Is.EqualTo(first));
        Assert.That(kv.Values["x"], Is.EqualTo("a"));
    }

    [Test]
    public void A_command_older_than_the_last_applied_for_its_client_is_refused()
    {
        var kv = new KvStateMachine();
        kv.Execute(Cmd(7, 1, KvOperation.Put, "x", "a"));
        kv.Execute(Cmd(7, 2, KvOperation.Put, "x", "b"));

        var stale = kv.Execute(Cmd(7, 1, KvOperation.Put, "x", "a"));

        Assert.That(stale.Ok, Is.False);
        Assert.That(kv.Values["x"], Is.EqualTo("b"));
        Assert.That(kv.IsStale(Cmd(7, 1, KvOperation.Put, "x", "a")), Is.True, "a node asks before applying, to answer Rejected");
        Assert.That(kv.IsStale(Cmd(7, 2, KvOperation.Put, "x", "a")), Is.False, "the latest is a retry, not stale");
    }

    [Test]
    public void A_get_ignores_its_sequence_and_leaves_the_session_alone()
    {
        // A get changes nothing, so it is never deduplicated: it reads every time it is applied.
        var kv = new KvStateMachine();
        kv.Execute(Cmd(7, 5, KvOperation.Put, "x", "a"));
        Assert.That(kv.Execute(Cmd(7, 0, KvOperation.Get, "x", null)), Is.EqualTo(new KvResult(true, "a")), "sequence 0, below the session's 5");
        kv.Execute(Cmd(8, 1, KvOperation.Put, "x", "b"));
        Assert.That(kv.Execute(Cmd(7, 9, KvOperation.Get, "x", null)).Value, Is.EqualTo("b"));
        Assert.That(kv.Execute(Cmd(7, 9, KvOperation.Get, "x", null)).Value, Is.EqualTo("b"), "the same get again reads again");
        Assert.That(kv.Execute(Cmd(7, 6, KvOperation.Append, "x", "c")).Value, Is.EqualTo("bc"), "the get at 9 did not move the session past 6");
        Assert.That(kv.IsStale(Cmd(7, 0, KvOperation.Get, "x", null)), Is.False);
    }

    [Test]
    public void A_noop_entry_changes_nothing()
    {
        var kv = new KvStateMachine();
        Assert.That(kv.Apply(LogEntry.NoOp(1, 1)), Is.Empty);
        Assert.That(kv.CommandsExecuted, Is.Zero);
    }

    [TestCase(KvOperation.Get, "k", null, null)]
    [TestCase(KvOperation.Put, "k", "v", null)]
    [TestCase(KvOperation.Append, "", "", null)]
    [TestCase(KvOperation.CompareAndSet, "ключ", "värde", "旧")]
    [TestCase(KvOperation.CompareAndSet, "k", "v", null)]
    public void A_command_survives_encoding_and_decoding(KvOperation op, string key, string? value, string? expected)
    {
        var command = new KvCommand(long.MaxValue, -3, op, key, value, expected);
        Assert.That(KvCommand.Decode(command.Encode()), Is.EqualTo(command));
    }

    [Test]
    public void Decoding_malformed_bytes_throws_FormatException()
    {
        var valid = new KvCommand(1, 1, KvOperation.Put, "k", "v").Encode();
        byte[] unknownOperation = [.. valid];
        unknownOperation[16] = 200;
        byte[] hugeKeyLength = [.. valid];
        hugeKeyLength[17] = 0xFF;
        hugeKeyLength[18] = 0x7F;
        byte[] nullKey = [.. valid];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(nullKey.AsSpan(17), -1);

        byte[][] malformed = [[], valid[..16], valid[..^1], [.. valid, 0], unknownOperation, hugeKeyLength, nullKey];

        foreach (var bytes in malformed)
            Assert.That(() => KvCommand.Decode(bytes), Throws.TypeOf<FormatException>(), $"{bytes.Length} bytes");
    }

    [Test]
    public void Decoding_a_string_length_near_int_MaxValue_throws_FormatException()
    {
        // offset + length must not overflow into a negative number that passes the bounds check.
        var bytes = new KvCommand(1, 1, KvOperation.Put, "k", "v").Encode();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(17), int.MaxValue);

        Assert.That(() => KvCommand.Decode(bytes), Throws.TypeOf<FormatException>());
    }

    [Test]
    public void A_snapshot_restores_values_and_sessions()
    {
        var kv = new KvStateMachine();
        var put = Cmd(7, 1, KvOperation.Put, "x", "a");
        kv.Execute(put);
        var copy = new KvStateMachine();

        copy.Restore(kv.Snapshot());

        Assert.That(copy.Values, Is.EquivalentTo(kv.Values));
        Assert.That(copy.Execute(put), Is.EqualTo(new KvResult(true, "a")));
        Assert.That(copy.CommandsExecuted, Is.Zero, "the retry was answered from the restored session");
        Assert.That(copy.Snapshot(), Is.EqualTo(kv.Snapshot()));
    }
}
