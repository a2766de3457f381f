using System.Text.RegularExpressions;
using Raft.Simulation.Cli;
using Raft.Tests.Scenarios;

namespace Raft.Tests.Simulation;

/// <summary>What a newcomer meets first: usage errors, help text, and the commands raft-sim prints for pasting.</summary>
public sealed partial class CliUsageTests
{
    /// <summary>The README's way to run raft-sim without installing it.</summary>
    private static readonly string[] DotnetRunFromTheRepository = ["dotnet", "run", "--project", "Raft.Simulation", "-c", "Release", "--"];

    [TestCase("explore", "explore", "--seeds", "0")]
    [TestCase("explore", "explore", "--duration", "10000000")]
    [TestCase("replay", "replay", "--nodes", "3")]
    [TestCase("replay", "replay", "--seed", "1", "--trace", "/no/such/folder/trace.txt")]
    [TestCase("run", "run")]
    [TestCase("run", "run", "a.scn", "b.scn")]
    [TestCase("step", "step", "--frobnicate", "a.scn")]
    [TestCase("check", "check")]
    [TestCase("check", "check", "--bug", "no-such-bug", "scenarios")]
    [TestCase("explore", "explore", "--nodes", "four")]
    [TestCase("explore", "explore", "--drift", "lots")]
    [TestCase("explore", "explore", "--reads", "sometimes")]
    [TestCase("bench", "bench", "--seeds", "many")]
    public void Every_command_s_usage_errors_exit_2_with_its_usage_line(string command, params string[] args)
    {
        var (code, _, stderr) = RaftSim.Run(args);

        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.StartWith("raft-sim: "));
        Assert.That(stderr, Does.Contain($"Usage: {RaftSimCli.Usage(command)}\n"));
        Assert.That(stderr, Does.Contain($"Help (from the repository root): dotnet run --project Raft.Simulation -c Release -- {command} --help\n"));
    }

    [Test]
    public void Explore_names_every_option_that_changes_the_runs_in_its_first_line()
    {
        var (code, stdout, stderr) = RaftSim.Run("explore", "--seeds", "1", "--duration", "1s", "--jobs", "1", "--membership", "--prevote", "--check-quorum",
            "--reads", "lease", "--snapshot-every", "30");
        Assert.That(code, Is.Zero, stdout + stderr);
        var header = stdout.Split('\n')[0];
        Assert.That(header, Does.StartWith("Exploring 1 seeds from 1: 3 nodes + 2 spares, membership changes, 1s each, faults chaos, 3 clients"));
        Assert.That(header, Does.Contain(", --prevote --check-quorum --reads lease --snapshot-every 30, 1 jobs"));

        var (_, plain, _) = RaftSim.Run("explore", "--seeds", "1", "--duration", "1s", "--jobs", "1");
        Assert.That(plain.Split('\n')[0], Does.EndWith("3 clients, 1 jobs"), "defaults add nothing to the line");
    }

    [TestCase("run")]
    [TestCase("step")]
    [TestCase("check")]
    public void A_missing_scenario_file_is_named_in_a_usage_error(string command)
    {
        var path = Path.Combine("no", "such", "figure9.scn");

        var (code, stdout, stderr) = RaftSim.Run(command, path);

        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr, Does.StartWith($"raft-sim: no such ").And.Contain($": {path}\n").And.Contain($"Usage: raft-sim {command} "));
    }

    [TestCase("run")]
    [TestCase("step")]
    public void A_folder_given_to_run_or_step_is_refused_clearly_with_a_file_to_try(string command)
    {
        var folder = Path.Combine(ScenarioFiles.Root, "paper");

        var (code, stdout, stderr) = RaftSim.Run(command, folder);

        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr, Does.StartWith($"raft-sim: {folder} is a folder; {command} takes one scenario file, e.g. {folder}{Path.DirectorySeparatorChar}"));
        Assert.That(stderr, Does.Not.Contain("denied"));
    }

    [Test]
    public void Check_refuses_rewrite_with_a_bug_as_a_usage_error()
    {
        var (code, _, stderr) = RaftSim.Run("check", "--rewrite", "--bug", "none", ScenarioFiles.Root);

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.StartWith("raft-sim: --rewrite and --bug do not go together").And.Contain($"Usage: {RaftSimCli.Usage("check")}"));
    }

    [TestCase("explore")]
    [TestCase("replay")]
    [TestCase("check")]
    public void Help_keeps_its_descriptions_in_a_narrow_second_column(string command)
    {
        var (code, help, _) = RaftSim.Run(command, "--help");

        Assert.That(code, Is.Zero);
        var rows = OptionRow().Matches(help).ToList();
        Assert.That(rows, Is.Not.Empty);
        foreach (var row in rows)
            Assert.That(row.Groups["label"].Length, Is.LessThanOrEqualTo(40), $"the first column is too wide: {row.Value}");
    }

    /// <summary>Every <c>[default: X]</c> that help shows is a value the option accepts (it once showed --duration's 10000000 microseconds).</summary>
    [Test]
    public void Every_default_that_help_shows_is_accepted_by_its_option()
    {
        var help = RaftSim.Run("replay", "--help").Stdout;
        var defaults = OptionRow().Matches(help)
            .Select(row => (Option: row.Groups["option"].Value, Default: DefaultValue().Match(row.Value)))
            .Where(d => d.Default.Success)
            .ToDictionary(d => d.Option, d => d.Default.Groups[1].Value);
        Assert.That(defaults["--duration"], Is.EqualTo("10s"));

        var args = new List<string> { "replay", "--seed", "1", "--summary-only" };
        foreach (var (option, value) in defaults) args.AddRange([option, value]);
        var (code, stdout, stderr) = RaftSim.Run([.. args]);

        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("outcome          ok"));
    }

    /// <summary>The replay command explore prints runs as printed from the repository root, and replays the same violation.</summary>
    [Test]
    public void The_replay_command_that_explore_prints_runs_as_printed_from_the_repository_root()
    {
        var (code, stdout, _) = RaftSim.Run("explore", "--seeds", "2", "--duration", "2s", "--faults", "none", "--jobs", "1",
            "--bug", "reply-before-persist", "--schedule", "at 300ms isolate n2; at 1s heal");
        Assert.That(code, Is.EqualTo(1), stdout);
        var lines = stdout.Split('\n');
        var printed = lines[Array.IndexOf(lines, "Replay it with (from the repository root):") + 1].Trim();

        var words = ShellWords(printed);
        Assert.That(words.Take(7), Is.EqualTo(DotnetRunFromTheRepository), printed);
        Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(ScenarioFiles.Root)!, "Raft.Simulation", "Raft.Simulation.csproj")), Is.True, "the project is where the command looks for it");
        var replay = RaftSim.Run([.. words.Skip(7), "--summary-only"]);

        Assert.That(replay.Code, Is.EqualTo(1), replay.Stderr);
        Assert.That(replay.Stdout, Does.Contain($"schedule         {words[words.IndexOf("--schedule") + 1]}\n").And.Contain("outcome          VIOLATION"));
    }

    /// <summary>The words of a printed command line, as a shell splits them (the quotes must balance).</summary>
    private static List<string> ShellWords(string line)
    {
        Assert.That(line.Count(c => c == '"') % 2, Is.Zero, $"unbalanced quotes in {line}");
        return Raft.Simulation.Cli.ShrunkCaseFile.Words(line);
    }

    // An option row of --help: "  --name <VALUE>   description"; label is the first column, padding included.
    [GeneratedRegex(@"^(?<label>  (?<option>--[a-z-]+)(?: <[^>]+>)?\s+)\S.*$", RegexOptions.Multiline)]
    private static partial Regex OptionRow();

    [GeneratedRegex(@"\[default: ([^\]]+)\]")]
    private static partial Regex DefaultValue();
}
