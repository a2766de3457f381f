using System.Text.Json;

namespace Raft.Tests.Simulation;

public sealed class CliTests
{
    [TestCase("explore", "--nodes", "4")]
    [TestCase("explore", "--faults", "sometimes")]
    [TestCase("explore", "--duration", "ten")]
    [TestCase("explore", "--bug", "no-such-bug")]
    [TestCase("replay")]
    [TestCase("frobnicate")]
    public void Bad_arguments_give_a_usage_message_and_exit_code_2(params string[] args)
    {
        var (code, _, stderr) = RaftSim.Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("raft-sim:").And.Contain("Usage"));
    }

    [Test]
    public void Election_and_heartbeat_ticks_are_set_checked_and_repeated_in_the_replay_command()
    {
        var (code, stdout, _) = RaftSim.Run("explore", "--seeds", "2", "--nodes", "5", "--faults", "partitions", "--bug", "vote-without-log-check",
            "--election-ticks", "20", "--heartbeat-ticks", "5", "--jobs", "1", "--no-shrink");
        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(stdout, Does.Contain("--election-ticks 20 --heartbeat-ticks 5"));
        var (bad, _, stderr) = RaftSim.Run("replay", "--seed", "1", "--heartbeat-ticks", "10", "--summary-only");
        Assert.That(bad, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--heartbeat-ticks must be at least 1 and below --election-ticks (10)"));
    }

    [Test]
    public void A_duration_is_written_as_schedules_write_times()
    {
        var (code, stdout, _) = RaftSim.Run("replay", "--seed", "1", "--duration", "1.5s", "--faults", "none", "--summary-only");
        Assert.That(code, Is.Zero, stdout);
        Assert.That(RaftSim.Run("replay", "--seed", "1", "--duration", "0s", "--summary-only").Code, Is.EqualTo(2), "a run needs some time");
    }

    [Test]
    public void Explore_with_a_teaching_bug_exits_1_and_prints_the_seed_and_replay_command()
    {
        var (code, stdout, _) = RaftSim.Run("explore", "--seeds", "5", "--nodes", "3", "--duration", "2s", "--faults", "none", "--bug", "reply-before-persist", "--jobs", "1");
        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(stdout, Does.Contain("FIRST VIOLATION: seed 1").And.Contain("PersistBeforeSend"));
        Assert.That(stdout, Does.Contain("dotnet run --project Raft.Simulation -c Release -- replay --seed 1 --nodes 3 --duration 2s --faults none --clients 3 --bug reply-before-persist"));
    }

    [Test]
    public void Explore_of_the_correct_core_exits_0_with_a_summary()
    {
        var (code, stdout, _) = RaftSim.Run("explore", "--seeds", "4", "--duration", "2s", "--faults", "chaos");
        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain("seeds run        4").And.Contain("No violation."));
    }

    [Test]
    public void Bench_prints_a_row_per_profile_and_exits_0()
    {
        var (code, stdout, _) = RaftSim.Run("bench", "--seeds", "1");
        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain("seeds/s").And.Contain("chaos").And.Contain("peak working set"));
    }

    [Test]
    public void Replay_writes_a_trace_of_valid_json_lines()
    {
        var path = Path.Combine(Path.GetTempPath(), $"raft-trace-{Environment.ProcessId}.ndjson");
        try
        {
            var (code, stdout, _) = RaftSim.Run("replay", "--seed", "2", "--duration", "1s", "--trace", path);
            Assert.That(code, Is.Zero, stdout);
            var lines = File.ReadAllLines(path);
            Assert.That(lines, Is.Not.Empty);
            foreach (var line in lines)
            {
                using var doc = JsonDocument.Parse(line);
                Assert.That(doc.RootElement.GetProperty("kind").GetString(), Is.Not.Empty);
            }
            Assert.That(lines, Has.Some.Contains("\"kind\":\"role\""), "the election is in the trace");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
