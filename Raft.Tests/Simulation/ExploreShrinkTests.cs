using System.Text.RegularExpressions;
using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Cli;
using Raft.Simulation.Faults;
using Raft.Simulation.Shrinking;

namespace Raft.Tests.Simulation;

/// <summary>
/// Explore shrinks the first failing seed to a smaller case that fails with the same property, and
/// prints it so that it runs as printed (and writes it for <c>replay --case</c>).
/// </summary>
public sealed partial class ExploreShrinkTests
{
    private static readonly string[] BuggyExplore =
        ["explore", "--seeds", "3", "--nodes", "5", "--faults", "partitions", "--bug", "vote-without-log-check", "--jobs", "1", "--shrink-budget", "60"];

    private static readonly string[] DotnetRunFromTheRepository = ["dotnet", "run", "--project", "Raft.Simulation", "-c", "Release", "--"];

    private string folder = "";

    [SetUp]
    public void CreateFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), $"raft-shrink-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public void Explore_shrinks_a_teaching_bug_and_the_printed_replay_and_the_case_file_reproduce_it()
    {
        var caseFile = Path.Combine(folder, "case.json");
        var page = Path.Combine(folder, "shrunk.html");
        var (code, stdout, stderr) = RaftSim.Run([.. BuggyExplore, "--shrunk-out", caseFile, "--html", page]);

        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        var property = Regex.Match(stdout, @"FIRST VIOLATION: seed \d+: (\w+) violated").Groups[1].Value;
        Assert.That(property, Is.Not.Empty, stdout);
        Assert.That(stdout, Does.Match($@"SHRUNK CASE: seed \d+: {property} violated"), "the shrunk case fails with the same property");
        var sizes = ScheduleSizes().Match(stdout);
        Assert.That(sizes.Success, Is.True, stdout);
        Assert.That(int.Parse(sizes.Groups[2].Value), Is.LessThan(int.Parse(sizes.Groups[1].Value)), "fewer actions than the generated schedule");
        Assert.That(stderr, Does.Contain("shrinking seed").And.Contain("run 1/60"), "progress on stderr");

        // The printed command, as a shell would split it, reproduces the violation.
        var lines = stdout.Split('\n');
        var printed = lines[Array.IndexOf(lines, "Replay the shrunk case with (from the repository root):") + 1].Trim();
        var words = ShrunkCaseFile.Words(printed);
        Assert.That(words.Take(7), Is.EqualTo(DotnetRunFromTheRepository), printed);
        Assert.That(words, Does.Contain("--schedule"));
        var replay = RaftSim.Run([.. words.Skip(7), "--summary-only"]);
        Assert.That(replay.Code, Is.EqualTo(1), replay.Stdout + replay.Stderr);
        Assert.That(replay.Stdout, Does.Contain($"outcome          VIOLATION {property} violated"));
        Assert.That(replay.Stdout, Does.Contain($"schedule         {Schedule(words)}\n"));

        // The case file replays the same run.
        Assert.That(stdout, Does.Contain($"shrunk case      written to {caseFile}"));
        var fromFile = RaftSim.Run("replay", "--case", caseFile, "--summary-only");
        Assert.That(fromFile.Code, Is.EqualTo(1), fromFile.Stdout + fromFile.Stderr);
        Assert.That(Digest(fromFile.Stdout), Is.EqualTo(Digest(replay.Stdout)));

        // The viewer page shows the shrunk case, not the original seed.
        Assert.That(stdout, Does.Contain("viewer           shrunk case of seed"));
        var duration = words[words.IndexOf("--duration") + 1];
        Assert.That(File.ReadAllText(page), Does.Contain($"--duration {duration}").And.Contain(property));
    }

    [Test]
    public void No_shrink_prints_no_shrink_section()
    {
        var (code, stdout, stderr) = RaftSim.Run([.. BuggyExplore, "--no-shrink"]);

        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(stdout, Does.Contain("FIRST VIOLATION").And.Not.Contain("SHRUNK CASE"));
        Assert.That(stderr, Does.Not.Contain("shrinking"));
    }

    [Test]
    public void A_correct_core_prints_no_shrink_section_and_exits_0()
    {
        var (code, stdout, stderr) = RaftSim.Run("explore", "--seeds", "2", "--nodes", "5", "--faults", "partitions", "--duration", "2s", "--jobs", "1");

        Assert.That(code, Is.Zero, stdout);
        Assert.That(stdout, Does.Contain("No violation.").And.Not.Contain("SHRUNK CASE"));
        Assert.That(stderr, Does.Not.Contain("shrinking"));
    }

    [Test]
    public void A_bad_case_file_is_a_usage_error_that_names_the_problem()
    {
        var missing = RaftSim.Run("replay", "--case", Path.Combine(folder, "none.json"));
        Assert.That(missing.Code, Is.EqualTo(2));
        Assert.That(missing.Stderr, Does.StartWith("raft-sim: cannot read case file"));

        var noArguments = Path.Combine(folder, "no-arguments.json");
        File.WriteAllText(noArguments, "{\"seed\": 1}");
        var bad = RaftSim.Run("replay", "--case", noArguments);
        Assert.That(bad.Code, Is.EqualTo(2));
        Assert.That(bad.Stderr, Does.Contain("no \"arguments\" array"));

        var badOption = Path.Combine(folder, "bad-option.json");
        File.WriteAllText(badOption, "{\"arguments\": [\"--seed\", \"1\", \"--nodes\", \"4\"]}");
        var wrong = RaftSim.Run("replay", "--case", badOption);
        Assert.That(wrong.Code, Is.EqualTo(2));
        Assert.That(wrong.Stderr, Does.Contain("do not parse").And.Contain("--nodes must be 3, 5 or 7"));

        var both = RaftSim.Run("replay", "--case", badOption, "--seed", "2");
        Assert.That(both.Code, Is.EqualTo(2));
        Assert.That(both.Stderr, Does.Contain("give no --seed with it"));
    }

    [Test]
    public void Shrinking_is_deterministic_and_keeps_the_property()
    {
        var options = new SimulationOptions
        {
            Seed = 1, Nodes = 5, Faults = FaultProfile.Partitions, Raft = new RaftOptions { Bug = TeachingBug.VoteWithoutLogCheck },
        };
        var violation = new Raft.Simulation.Simulation(options).Run().Violation;
        Assert.That(violation, Is.Not.Null);

        var first = Shrinker.Shrink(options, violation!, budget: 40);
        var second = Shrinker.Shrink(options, violation!, budget: 40);

        Assert.That(first.Reproduced, Is.True);
        Assert.That(first.Violation.Property, Is.EqualTo(violation!.Property));
        Assert.That(first.Shrunk.Schedule!, Has.Count.LessThan(first.Original.Schedule!.Count));
        Assert.That(ExploreCommand.ReplayArguments(second.Shrunk), Is.EqualTo(ExploreCommand.ReplayArguments(first.Shrunk)));
        Assert.That(second.Result.Digest, Is.EqualTo(first.Result.Digest));
        Assert.That(first.Runs, Is.LessThanOrEqualTo(40));
    }

    [Test]
    public void Delta_debugging_finds_the_two_actions_that_matter_and_respects_the_budget()
    {
        var schedule = Enumerable.Range(1, 12).Select(i => (FaultAction)new IsolateFault(i * 100_000, 1 + i % 3)).ToList();
        var needed = new[] { schedule[3], schedule[8] };
        var options = new SimulationOptions { Seed = 9, Schedule = schedule, Clients = 3 };
        var violation = new Violation(Property.ElectionSafety, 5_000_000, "n1", "two leaders");
        // A stand-in for a run: it fails exactly when both needed actions are in the schedule.
        SimulationResult Run(SimulationOptions o) =>
            new(o.Seed, "digest", needed.All(o.Schedule!.Contains) ? violation : null, 0, 0, 0, 0, 0, 0, [], []);

        var shrunk = Shrinker.Shrink(options, violation, budget: 100, run: Run);
        Assert.That(shrunk.Shrunk.Schedule, Is.EqualTo(needed));
        Assert.That(shrunk.Shrunk.Clients, Is.Zero);
        Assert.That(shrunk.Changes(), Does.StartWith("schedule 12 -> 2 actions, clients 3 -> 0, duration 10s -> 5001ms"));

        var cut = Shrinker.Shrink(options, violation, budget: 5, run: Run);
        Assert.That(cut.Runs, Is.EqualTo(5));
        Assert.That(cut.BudgetSpent, Is.True);
    }

    private static string Schedule(List<string> words) => words[words.IndexOf("--schedule") + 1] is { Length: > 0 } s ? s : "(no faults)";

    private static string Digest(string stdout) => Regex.Match(stdout, "digest +([0-9a-f]+)").Groups[1].Value;

    [GeneratedRegex(@"shrunk +schedule (\d+) -> (\d+) actions?")]
    private static partial Regex ScheduleSizes();
}
