using Raft.Simulation.Checkers;
using Raft.Simulation.Cli;

namespace Raft.Tests.Simulation;

/// <summary>
/// <c>explore --shard I/N --results FILE</c> and <c>merge</c>: N shard processes merged must read as
/// one unsharded explore, seed by seed, and a merge must refuse files that do not make one explore.
/// Every raft-sim here is a separate process of the built raft-sim, as on N machines.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public sealed class ShardedExploreTests
{
    private static readonly string[] Explore = ["explore", "--seeds", "12", "--nodes", "3", "--duration", "1s", "--faults", "chaos"];

    private string folder = "";
    private string whole = "";
    private string[] shards = [];
    private (int Code, string Stdout, string Stderr) wholeRun;

    [OneTimeSetUp]
    public void RunTheExploreWholeAndAsThreeShards()
    {
        folder = Path.Combine(Path.GetTempPath(), $"raft-shards-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        whole = Path.Combine(folder, "whole.ndjson");
        shards = [.. Enumerable.Range(0, 3).Select(i => Path.Combine(folder, "shards", $"shard-{i}.ndjson"))];
        Directory.CreateDirectory(Path.Combine(folder, "shards"));
        // Four processes at once, as on four machines: the unsharded explore and its three shards.
        var unsharded = Task.Run(() => RaftSim.Run([.. Explore, "--jobs", "2", "--results", whole]));
        var parts = Enumerable.Range(0, 3).Select(i => Task.Run(() => RaftSim.Run([.. Explore, "--jobs", "1", "--shard", $"{i}/3", "--results", shards[i]]))).ToList();
        wholeRun = unsharded.Result;
        Assert.That(wholeRun.Code, Is.Zero, wholeRun.Stdout + wholeRun.Stderr);
        foreach (var part in parts) Assert.That(part.Result.Code, Is.Zero, part.Result.Stdout + part.Result.Stderr);
    }

    [OneTimeTearDown]
    public void DeleteTheFiles() => Directory.Delete(folder, recursive: true);

    [Test]
    public void Three_shards_merged_equal_one_unsharded_explore_seed_by_seed()
    {
        var unsharded = ExploreResultsFile.Read(whole).Outcomes;
        var merged = shards.SelectMany(s => ExploreResultsFile.Read(s).Outcomes).OrderBy(o => o.Seed).ToList();

        Assert.That(merged.Select(o => o.Seed), Is.EqualTo(Enumerable.Range(1, 12).Select(s => (ulong)s)));
        Assert.That(merged.Select(Figures), Is.EqualTo(unsharded.Select(Figures)), "digest, verdict and figures of every seed");
        Assert.That(merged.Select(o => o.Digest).Distinct().Count(), Is.EqualTo(12), "the seeds really ran different schedules");

        var (code, stdout, stderr) = RaftSim.Run(["merge", .. shards]);

        Assert.That(code, Is.EqualTo(wholeRun.Code), stderr);
        Assert.That(Summary(stdout), Is.EqualTo(Summary(wholeRun.Stdout)));
        Assert.That(stdout, Does.Contain("seeds run        12").And.Contain("summed over 3 shard(s)"));
    }

    [Test]
    public void Each_shard_runs_its_stride_of_the_range()
    {
        for (var i = 0; i < 3; i++)
        {
            var results = ExploreResultsFile.Read(shards[i]);
            Assert.That(results.Shard, Is.EqualTo(new SeedShard(i, 3)));
            Assert.That(results.Outcomes.Select(o => o.Seed), Is.EqualTo(Enumerable.Range(0, 4).Select(k => (ulong)(1 + i + 3 * k))));
        }
    }

    [Test]
    public void A_folder_merges_every_results_file_in_it()
    {
        var (code, stdout, stderr) = RaftSim.Run("merge", Path.Combine(folder, "shards"));

        Assert.That(code, Is.Zero, stderr);
        Assert.That(Summary(stdout), Is.EqualTo(Summary(wholeRun.Stdout)));
    }

    [Test]
    public void More_shards_than_seeds_leave_an_empty_shard_that_still_merges()
    {
        var parts = Enumerable.Range(0, 2).Select(i => Path.Combine(folder, $"few-{i}.ndjson")).ToList();
        for (var i = 0; i < 2; i++)
            Assert.That(RaftSim.Run("explore", "--seeds", "1", "--duration", "1s", "--shard", $"{i}/2", "--results", parts[i]).Code, Is.Zero);

        var (code, stdout, stderr) = RaftSim.Run(["merge", .. parts]);

        Assert.That(ExploreResultsFile.Read(parts[1]).Outcomes, Is.Empty);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("seeds run        1"));
    }

    [Test]
    public void A_missing_shard_is_a_gap_and_nothing_is_merged()
    {
        var (code, stdout, stderr) = RaftSim.Run("merge", shards[0], shards[2]);

        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(stderr, Does.Contain("gap: 4 of 12 seeds missing: 2, 5, 8, 11 (no file for shard 1/3)").And.Contain("Nothing merged."));
        Assert.That(stdout, Does.Not.Contain("seeds run"));
    }

    [Test]
    public void A_shard_given_twice_is_an_overlap()
    {
        var copy = Path.Combine(folder, "copy-of-shard-1.ndjson");
        File.Copy(shards[1], copy, overwrite: true);

        var (code, _, stderr) = RaftSim.Run(["merge", .. shards, copy]);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("overlap: 4 seed(s) found more than once: 2, 5, 8, 11"));
    }

    [Test]
    public void The_unsharded_file_with_a_shard_is_an_overlap()
    {
        var (code, _, stderr) = RaftSim.Run("merge", whole, shards[0]);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("overlap: 4 seed(s)"));
    }

    [Test]
    public void A_shard_of_an_explore_with_other_options_is_refused()
    {
        var other = Rewritten(shards[1], "other-options.ndjson", "--clients 3", "--clients 2");

        var (code, _, stderr) = RaftSim.Run("merge", shards[0], other, shards[2]);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("come from explores with different options").And.Contain("--clients 2").And.Contain("--clients 3"));
    }

    [Test]
    public void A_shard_of_another_seed_range_is_refused()
    {
        var other = Rewritten(shards[1], "other-range.ndjson", "\"firstSeed\":1,", "\"firstSeed\":100,");

        var (code, _, stderr) = RaftSim.Run("merge", shards[0], other, shards[2]);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("cover different seed ranges: 12 seeds from 100 and 12 seeds from 1"));
    }

    [Test]
    public void A_file_cut_short_is_refused_as_incomplete()
    {
        var cut = Path.Combine(folder, "cut.ndjson");
        File.WriteAllLines(cut, File.ReadAllLines(shards[1]).SkipLast(2));

        var (code, _, stderr) = RaftSim.Run("merge", shards[0], cut, shards[2]);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain($"{cut}: incomplete, no end line after 3 seed(s)"));
    }

    [Test]
    public void A_file_whose_seeds_are_not_its_shard_s_is_refused()
    {
        var relabelled = Rewritten(shards[1], "relabelled.ndjson", "\"shard\":\"1/3\"", "\"shard\":\"0/3\"");

        var (code, _, stderr) = RaftSim.Run("merge", relabelled, shards[2]);

        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("says it is shard 0/3 of 12 seeds from 1 but holds other seeds: 2, 5, 8, 11"));
    }

    [Test]
    public void Merge_without_files_or_with_a_missing_file_is_a_usage_error()
    {
        var (none, _, noneError) = RaftSim.Run("merge");
        var (missing, _, missingError) = RaftSim.Run("merge", shards[0], Path.Combine(folder, "no-such.ndjson"));

        Assert.That(none, Is.EqualTo(2));
        Assert.That(noneError, Does.StartWith("raft-sim: ").And.Contain($"Usage: {RaftSimCli.Usage("merge")}"));
        Assert.That(missing, Is.EqualTo(2));
        Assert.That(missingError, Does.StartWith($"raft-sim: no such file or folder: {Path.Combine(folder, "no-such.ndjson")}"));
    }

    [Test]
    public void A_file_that_is_not_a_results_file_is_a_usage_error()
    {
        var trace = Path.Combine(folder, "trace.ndjson");
        File.WriteAllText(trace, "{\"t\":0,\"kind\":\"role\",\"node\":\"n1\",\"detail\":\"follower\"}\n");

        var (code, _, stderr) = RaftSim.Run("merge", trace);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith($"raft-sim: {trace} is not a raft-sim results file"));
    }

    [TestCase("3/3")]
    [TestCase("one/3")]
    public void A_shard_out_of_range_or_malformed_is_a_usage_error(string shard)
    {
        var (code, _, stderr) = RaftSim.Run("explore", "--seeds", "3", "--shard", shard);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith("raft-sim: --shard: ").And.Contain($"Usage: {RaftSimCli.Usage("explore")}"));
    }

    [TestCase("3/3", "out of range: shards count from 0, so the shards of 3 are 0/3 to 2/3")]
    [TestCase("-1/3", "is not a shard")]
    [TestCase("1/0", "has no shards")]
    [TestCase("1", "is not a shard")]
    [TestCase("1/2/3", "is not a shard")]
    public void A_shard_is_read_as_I_over_N_counted_from_0(string text, string problem)
    {
        Assert.That(SeedShard.TryParse(text, out _, out var message), Is.False);
        Assert.That(message, Does.Contain(problem));
        Assert.That(SeedShard.TryParse("2/3", out var shard, out _) && shard == new SeedShard(2, 3));
        Assert.That(SeedShard.TryParse("0/1", out var whole, out _) && whole == SeedShard.Whole);
    }

    [Test]
    public void Results_in_a_missing_folder_are_a_usage_error_before_any_seed_runs()
    {
        var (code, stdout, stderr) = RaftSim.Run("explore", "--seeds", "3", "--results", Path.Combine(folder, "no", "such", "r.ndjson"));

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith("raft-sim: cannot write results to"));
        Assert.That(stdout, Does.Not.Contain("seeds run"));
    }

    [Test]
    public void A_violation_found_by_one_shard_is_reported_by_the_merge_as_by_the_unsharded_run()
    {
        string[] buggy = ["explore", "--seeds", "6", "--nodes", "3", "--duration", "1s", "--faults", "none", "--bug", "reply-before-persist"];
        var wholeFile = Path.Combine(folder, "buggy-whole.ndjson");
        var unsharded = RaftSim.Run([.. buggy, "--results", wholeFile]);
        var parts = Enumerable.Range(0, 2).Select(i => Path.Combine(folder, $"buggy-{i}.ndjson")).ToList();
        for (var i = 0; i < 2; i++) Assert.That(RaftSim.Run([.. buggy, "--shard", $"{i}/2", "--results", parts[i]]).Code, Is.EqualTo(1));

        var (code, stdout, _) = RaftSim.Run(["merge", .. parts]);

        Assert.That(unsharded.Code, Is.EqualTo(1), unsharded.Stdout);
        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(Summary(stdout), Is.EqualTo(Summary(unsharded.Stdout)));
        Assert.That(stdout, Does.Contain("FIRST VIOLATION: seed 1").And.Contain("replay --seed 1 --nodes 3 --duration 1s --faults none --clients 3 --bug reply-before-persist"));
        Assert.That(ExploreResultsFile.Read(wholeFile).Outcomes, Has.Count.EqualTo(6), "with --results every seed runs, even after a violation");
    }

    [Test]
    public void Shards_are_disjoint_and_together_cover_the_range()
    {
        foreach (var count in new[] { 1, 2, 3, 5, 20 })
        {
            var all = Enumerable.Range(0, count).SelectMany(i => new SeedShard(i, count).SeedsOf(7, 13)).ToList();
            Assert.That(all.Order(), Is.EqualTo(Enumerable.Range(7, 13).Select(s => (ulong)s)), $"{count} shards");
            for (var i = 0; i < count; i++)
                Assert.That(new SeedShard(i, count).SeedsOf(7, 13).All(s => new SeedShard(i, count).Holds(s, 7)));
        }
    }

    [Test]
    public void A_results_file_keeps_everything_the_summary_prints()
    {
        const string options = "--nodes 3 --duration 1s --faults chaos --clients 3";
        SeedOutcome[] outcomes =
        [
            new(1, options, 500, "aa", SeedVerdict.Ok, null, 2, 30, 40, 0, 300, 20, 1_000_000, [], []),
            new(2, options, 500, "bb", SeedVerdict.Inconclusive, null, 1, 10, 15, 1, 100, 0, 1_000_500, [], [], "k\"3", 501),
            new(3, options, 500, "cc", SeedVerdict.Violation, new Violation(Property.ElectionSafety, 1234, "n2", "two leaders in term 4 — n1 and n2"),
                3, 5, 6, 0, 70, 7, 999_000, ["  1.000ms n1 role leader", "§5.2 line"], ["n1  up  leader"]),
        ];
        var results = new ExploreResults(1, 3, SeedShard.Whole, options, 500, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(2), TimeSpan.FromSeconds(2), outcomes);
        var own = Directory.CreateDirectory(Path.Combine(folder, "round-trip")).FullName;
        var path = Path.Combine(own, "round-trip.ndjson");

        ExploreResultsFile.Write(path, results);
        var read = ExploreResultsFile.Read(path);

        Assert.That(Print(read.Outcomes), Is.EqualTo(Print(outcomes)));
        Assert.That(read.Outcomes.Select(Figures), Is.EqualTo(outcomes.Select(Figures)));
        Assert.That(read with { Outcomes = outcomes }, Is.EqualTo(results));
        Assert.That(Directory.GetFiles(own), Is.EqualTo(new[] { path }), "the temporary file is renamed away");
    }

    /// <summary>A copy of a results file with one piece of text replaced on every line: a file as another explore would have written it.</summary>
    private string Rewritten(string path, string name, string text, string replacement)
    {
        var copy = Path.Combine(folder, name);
        File.WriteAllLines(copy, File.ReadAllLines(path).Select(l => l.Replace(text, replacement, StringComparison.Ordinal)));
        return copy;
    }

    private static string Figures(SeedOutcome o) =>
        $"{o.Seed} {o.Digest} {o.Verdict} {o.Violation} {o.Elections} {o.Commits} {o.ClientOperations} {o.ConfigurationChanges} {o.MessagesSent} {o.MessagesDropped} {o.VirtualMicros} {o.Options} {o.LinBudget} {o.LinearizabilityKey} {o.LinearizabilitySteps}";

    private static string Print(IReadOnlyList<SeedOutcome> outcomes)
    {
        using var output = new StringWriter();
        var code = ExploreSummary.Print(outcomes, "1.00s", output);
        return $"exit {code}\n{output}";
    }

    /// <summary>The summary from "seeds run" on, without the wall-time line (the one line a merge words its own way).</summary>
    private static List<string> Summary(string stdout)
    {
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.FindIndex(l => l.StartsWith("seeds run", StringComparison.Ordinal));
        Assert.That(start, Is.GreaterThanOrEqualTo(0), stdout);
        return lines.Skip(start).Where(l => !l.StartsWith("wall time", StringComparison.Ordinal)).ToList();
    }
}
