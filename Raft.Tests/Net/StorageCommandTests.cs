using Raft.Core;
using Raft.Core.Effects;
using Raft.Core.Log;
using Raft.Core.Storage;
using Raft.Net.Commands;
using Raft.Net.Storage;

namespace Raft.Tests.Net;

/// <summary><c>raft-net storage</c>: what an operator sees of a data directory, clean, torn or damaged; it changes nothing.</summary>
public sealed class StorageCommandTests
{
    private string directory = "";

    private string LogPath => Path.Combine(directory, FileStorage.LogFileName);

    [SetUp]
    public void Fill()
    {
        directory = Path.Combine(Path.GetTempPath(), "raft-storage-command-" + Guid.NewGuid().ToString("N"));
        using var storage = FileStorage.Open(directory, fsync: false);
        storage.Persist(new PersistHardState(new HardState(3, new NodeId(2))));
        storage.Persist(new PersistEntries(1, [Entry(1, 1), Entry(2, 1), Entry(3, 3)]));
        storage.Sync();
    }

    [TearDown]
    public void Delete()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Test]
    public void A_clean_directory_is_described_and_exits_0()
    {
        var (code, output) = Run();
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("hard state  term 3, vote n2").And.Contain("snapshot    none").And.Contain("entries 1..3 (last term 3)").And.Contain("verdict     clean"));
    }

    [Test]
    public void A_torn_tail_is_reported_as_cut_at_the_next_start_and_exits_0()
    {
        var intact = File.ReadAllBytes(LogPath);
        File.WriteAllBytes(LogPath, intact[..^3]);
        var (code, output) = Run();
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("entries 1..2").And.Contain("torn tail").And.Contain("verdict     torn tail: the node cuts the last"));
        Assert.That(File.ReadAllBytes(LogPath), Is.EqualTo(intact[..^3]), "the report changes nothing");
    }

    [Test]
    public void Damage_before_the_end_is_reported_with_its_offset_and_exits_1()
    {
        var bytes = File.ReadAllBytes(LogPath);
        var secondRecord = LogRecord.EncodeEntry(Entry(1, 1)).Length;
        bytes[secondRecord + 9] ^= 0xFF;
        File.WriteAllBytes(LogPath, bytes);
        var (code, output) = Run();
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"damaged at byte {secondRecord}: a CRC mismatch, yet a valid record follows").And.Contain("verdict     DAMAGED: the node refuses to start"));
        Assert.That(File.ReadAllBytes(LogPath), Is.EqualTo(bytes), "the report changes nothing");
    }

    [Test]
    public void The_operator_can_cut_the_log_at_the_damage_and_the_node_then_starts_from_the_prefix()
    {
        var bytes = File.ReadAllBytes(LogPath);
        var secondRecord = LogRecord.EncodeEntry(Entry(1, 1)).Length;
        bytes[secondRecord + 9] ^= 0xFF;
        File.WriteAllBytes(LogPath, bytes);
        var output = new StringWriter();
        Assert.That(StorageCommand.Run(directory, output, TextWriter.Null, cutLogAtDamage: true), Is.Zero, output.ToString());
        Assert.That(output.ToString(), Does.Contain($"cut         the log at byte {secondRecord}, as asked: entries after 1 are gone"));
        using var storage = FileStorage.Open(directory, fsync: false);
        Assert.That(storage.Load().Entries, Is.EqualTo(new[] { Entry(1, 1) }));
    }

    [Test]
    public void A_damaged_hard_state_is_reported_and_exits_1()
    {
        File.WriteAllBytes(Path.Combine(directory, FileStorage.HardStateFileName), [1, 2, 3]);
        var (code, output) = Run();
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("hard state  DAMAGED:").And.Contain("verdict     DAMAGED"));
    }

    [Test]
    public void A_node_on_a_damaged_log_refuses_to_start_with_one_line_and_exit_code_3()
    {
        var bytes = File.ReadAllBytes(LogPath);
        bytes[LogRecord.EncodeEntry(Entry(1, 1)).Length + 9] ^= 0xFF;
        File.WriteAllBytes(LogPath, bytes);
        var raft = Raft.Net.Cluster.LocalCluster.FreePort();
        var client = Raft.Net.Cluster.LocalCluster.FreePort();
        var (code, _, stderr) = RaftNet.Run("node", "--id", "1", "--peers", $"1=tcp://127.0.0.1:{raft}", "--client", $"tcp://127.0.0.1:{client}", "--data", directory);
        Assert.That(code, Is.EqualTo(3), stderr);
        Assert.That(stderr, Does.StartWith("raft-net node: cannot start: log file").And.Contain("damaged at byte"));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(File.ReadAllBytes(LogPath), Is.EqualTo(bytes));
    }

    [Test]
    public void A_node_whose_sqlite_store_is_not_a_database_refuses_to_start_with_one_line_and_exit_code_3()
    {
        var database = Path.Combine(directory, "state.db");
        File.WriteAllText(database, "not a database at all, but long enough to be read as a header");
        var raft = Raft.Net.Cluster.LocalCluster.FreePort();
        var client = Raft.Net.Cluster.LocalCluster.FreePort();
        var (code, _, stderr) = RaftNet.Run("node", "--id", "1", "--peers", $"1=tcp://127.0.0.1:{raft}", "--client", $"tcp://127.0.0.1:{client}", "--data", directory, "--store", "sqlite");
        Assert.That(code, Is.EqualTo(3), stderr);
        Assert.That(stderr, Does.StartWith($"raft-net node: cannot start: state database '{database}' cannot be opened as a key-value store").And.Contain("move the file away"));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(File.ReadAllText(database), Does.StartWith("not a database"), "the file is left as it was");
    }

    [Test]
    public void A_missing_directory_is_a_usage_error()
    {
        var errors = new StringWriter();
        Assert.That(StorageCommand.Run(directory + "-nope", TextWriter.Null, errors), Is.EqualTo(2));
        Assert.That(errors.ToString(), Does.StartWith("raft-net storage: no such directory"));
    }

    private (int Code, string Output) Run()
    {
        var output = new StringWriter();
        var code = StorageCommand.Run(directory, output, TextWriter.Null);
        return (code, output.ToString());
    }

    private static LogEntry Entry(long index, long term) => new(index, term, EntryKind.Command, System.Text.Encoding.UTF8.GetBytes($"cmd {index}"));
}
