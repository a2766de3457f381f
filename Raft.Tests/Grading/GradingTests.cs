using System.Text.RegularExpressions;
using Raft.Core;
using Raft.Core.StateMachine;
using Raft.Simulation.Grading;

namespace Raft.Tests.Grading;

public sealed partial class GradingTests
{
    private static readonly ulong[] FewSeeds = [1, 2, 3];
    private static readonly string[] RequiredBugs = ["vote-without-log-check", "forget-vote-on-restart", "reply-before-persist", "skip-prev-log-term-check", "leader-ignores-higher-term"];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(4)]
    [TestCase(5)]
    public void The_reference_core_passes_every_test_of_lab(int lab)
    {
        var grader = new Grader(NodeSource.Reference(), lab) { ForEachSeed = Raft.Simulation.Cli.GradeCommand.ParallelSeeds(2) };
        foreach (var test in Labs.TestsOf(lab))
        {
            var outcome = grader.Run(test, FewSeeds);
            Assert.That(outcome.Ok, Is.True, () => $"{test.Name}: seed {outcome.FirstFailure?.Seed} {outcome.FirstFailure?.What}: {outcome.FirstFailure?.Message}");
        }
    }

    [Test]
    public void Each_teaching_bug_fails_the_tests_docs_grading_md_says()
    {
        var rows = BugTable();
        Assert.That(rows.Keys, Is.SupersetOf(RequiredBugs));
        Assert.That(rows["vote-without-log-check"].Select(t => t.Lab), Has.Some.EqualTo(1).Or.Some.EqualTo(2));
        Assert.That(rows["forget-vote-on-restart"].Select(t => t.Lab), Has.Some.EqualTo(3));
        Assert.That(rows["reply-before-persist"].Select(t => t.Lab), Has.Some.EqualTo(3));
        Assert.That(rows["skip-prev-log-term-check"].Select(t => t.Lab), Has.Some.EqualTo(2));
        Assert.That(rows["leader-ignores-higher-term"].Select(t => t.Lab), Has.Some.EqualTo(1));
        foreach (var (bug, tests) in rows)
        {
            var teachingBug = Enum.GetValues<TeachingBug>().Single(b => Raft.Simulation.Cli.RunOptionSet.Kebab(b.ToString()) == bug);
            foreach (var (lab, name) in tests)
            {
                var test = Labs.TestsOf(lab).Single(t => t.Name == name);
                var grader = new Grader(NodeSource.Reference(teachingBug), lab);
                var failed = Enumerable.Range(1, 10).Any(seed => grader.RunSeed(test, (ulong)seed, keepTrace: false).Outcome.Failure is not null);
                Assert.That(failed, Is.True, $"--bug {bug} should fail lab {lab} test {name} within seeds 1-10 (docs/grading.md)");
            }
        }
    }

    [TestCase(2, "figure-8", 3)]
    [TestCase(3, "figure-8-unreliable", 10)]
    public void The_figure_8_tests_catch_commit_old_term_by_counting_within_a_few_seeds(int lab, string name, int seeds)
    {
        var test = Labs.TestsOf(lab).Single(t => t.Name == name);
        var grader = new Grader(NodeSource.Reference(TeachingBug.CommitOldTermByCounting), lab);
        var failures = Enumerable.Range(1, seeds).Select(seed => grader.RunSeed(test, (ulong)seed, keepTrace: false).Outcome.Failure).Where(f => f is not null).ToList();
        Assert.That(failures, Is.Not.Empty, $"--bug commit-old-term-by-counting should fail {lab}:{name} within seeds 1-{seeds}");
        // Caught by the simulator's check at the moment of the commit, not by a side effect (liveness, a test expectation).
        Assert.That(failures.Select(f => f!.What), Has.All.EqualTo("LeaderCompleteness"));
        var reference = new Grader(NodeSource.Reference(), lab);
        Assert.That(Enumerable.Range(1, seeds).All(seed => reference.RunSeed(test, (ulong)seed, keepTrace: false).Outcome.Failure is null), "the reference passes the same seeds");
    }

    [Test]
    public void A_leader_that_claims_commits_no_majority_could_hold_fails_no_commit_without_majority()
    {
        var reference = NodeSource.Reference();
        var node = reference with { Create = spec => new OverclaimingNode(reference.Create(spec)), IsReference = false };
        var outcome = new Grader(node, 2).Run(Labs.TestsOf(2).Single(t => t.Name == "no-commit-without-majority"), FewSeeds);
        Assert.That(outcome.Passed, Is.Zero, "the safety checker sees the claim first (Leader Completeness), the test's own bound after it");
    }

    [Test]
    public void The_reference_is_not_failed_by_no_commit_without_majority_for_entries_stored_across_the_cut()
    {
        // Seed 454 once failed the reference: an entry one server across the cut had stored before it,
        // plus the two kept servers, is a majority, and committing it is right.
        var outcome = new Grader(NodeSource.Reference(), 2).Run(Labs.TestsOf(2).Single(t => t.Name == "no-commit-without-majority"), [454]);
        Assert.That(outcome.Ok, Is.True, outcome.FirstFailure?.Message);
    }

    [Test]
    public void Lab_5_grades_the_nodes_own_store_a_store_without_sessions_fails_exactly_once()
    {
        var outcome = GradeStore(() => new NoSessionStore(), "exactly-once-under-retries", 10);
        Assert.That(outcome.Passed, Is.LessThan(10), "retried writes applied twice must show");
        Assert.That(outcome.FirstFailure!.What, Is.EqualTo("Linearizability"), outcome.FirstFailure.Message);
    }

    [Test]
    public void A_store_whose_snapshot_drops_the_sessions_passes_without_snapshots_and_fails_across_them()
    {
        Assert.That(GradeStore(() => new SessionlessSnapshotStore(), "exactly-once-under-retries", 3).Ok, Is.True, "without snapshots it is a correct store");
        var across = GradeStore(() => new SessionlessSnapshotStore(), "exactly-once-across-snapshots", 10);
        Assert.That(across.Passed, Is.LessThan(10), "a retry applied again on a server restored from a snapshot must show");
        Assert.That(across.FirstFailure!.What, Is.EqualTo("Linearizability").Or.EqualTo("expectation"), across.FirstFailure.Message);
    }

    [Test]
    public void A_store_that_holds_a_value_the_log_never_wrote_fails_even_when_no_client_reads_it()
    {
        var outcome = GradeStore(() => new GhostKeyStore(), "reads-answered", 1);
        Assert.That(outcome.Ok, Is.False);
        Assert.That(outcome.FirstFailure!.Message, Does.Contain("store does not hold what the committed log gives").And.Contain("key ghost is \"boo\", and should be absent"));
    }

    [Test]
    public void Every_lab_5_test_passes_with_the_reference_store_and_the_reference_core()
    {
        foreach (var test in Labs.TestsOf(5))
            Assert.That(GradeStore(() => new KvStateMachine(), test.Name, 3).Ok, Is.True, test.Name);
    }

    private static TestOutcome GradeStore(Func<IKeyValueStore> store, string test, int seeds)
    {
        var node = NodeSource.Reference() with { CreateStore = store };
        var grader = new Grader(node, 5) { ForEachSeed = Raft.Simulation.Cli.GradeCommand.ParallelSeeds(2) };
        return grader.Run(Labs.TestsOf(5).Single(t => t.Name == test), Enumerable.Range(1, seeds).Select(s => (ulong)s).ToList());
    }

    [Test]
    public void The_untouched_student_skeleton_loads_runs_and_fails_lab_1_with_a_clear_message()
    {
        // Raft.Tests.csproj builds labs/StudentNode before the tests, in the same configuration.
        var configuration = TestContext.CurrentContext.TestDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "labs", "StudentNode", "bin", configuration, "net10.0", "StudentNode.dll"));
        Assert.That(File.Exists(dll), $"the skeleton is built before the tests (Raft.Tests.csproj): {dll}");
        var node = NodeLoader.Load(dll, TextWriter.Null);
        var outcomes = Labs.TestsOf(1).Select(t => new Grader(node, 1).Run(t, FewSeeds)).ToList();
        Assert.That(outcomes.All(o => o.Passed == 0), "a skeleton with only TODOs passes nothing");
        Assert.That(outcomes.All(o => o.FirstFailure!.What != "CoreInvariant"), "it fails by not electing, not by throwing");
        Assert.That(outcomes[0].FirstFailure!.Message, Does.Contain("no leader within 2 s of start").And.Contain("n1 follower term 0"));
        Assert.That(node.StoreDescription, Is.EqualTo("StudentNode.StudentKvStore"), "lab 5 grades the skeleton's store with its node");
    }

    [Test]
    public void The_graders_own_crashes_are_in_the_runs_trace()
    {
        var test = Labs.TestsOf(1).Single(t => t.Name == "reelection-after-crash");
        var (outcome, run, _) = new Grader(NodeSource.Reference(), 1).RunSeed(test, 1, keepTrace: true);
        Assert.That(outcome.Failure, Is.Null);
        var crash = run.Sim.Trace.All.First(e => e.Kind == Raft.Simulation.Tracing.TraceKind.Crash);
        Assert.That(run.Actions, Has.Some.Contains(((Raft.Simulation.Faults.FaultAction)crash.Subject!).Describe()), "the trace names the crash the report lists");
        Assert.That(run.Sim.Trace.All.Any(e => e.Kind == Raft.Simulation.Tracing.TraceKind.Recover), "and the restart");
    }

    [Test]
    public void A_node_that_does_nothing_fails_lab_1_with_a_clear_message()
    {
        var node = NodeLoader.FromType(typeof(IdleNode), "--node IdleNode.dll");
        var grader = new Grader(node, 1);
        var outcome = grader.Run(Labs.TestsOf(1).Single(t => t.Name == "initial-election"), FewSeeds);
        Assert.That(outcome.Passed, Is.Zero);
        Assert.That(outcome.FirstFailure!.Message, Does.Contain("no leader within 2 s of start"));
        Assert.That(outcome.FirstFailure.Command, Does.Contain("grade --lab 1 --node IdleNode.dll --test initial-election --seed 1"));
    }

    [Test]
    public void A_node_that_throws_fails_its_test_as_a_core_invariant_and_the_grader_goes_on()
    {
        var grader = new Grader(NodeLoader.FromType(typeof(ThrowingNode), "--node ThrowingNode.dll"), 1);
        var outcome = grader.Run(Labs.TestsOf(1)[0], FewSeeds);
        Assert.That(outcome.Passed, Is.Zero);
        Assert.That(outcome.FirstFailure!.What, Is.EqualTo("CoreInvariant"));
        Assert.That(outcome.FirstFailure.Message, Does.Contain("NotSupportedException").And.Contain("messages are not handled yet"));
    }

    [Test]
    public void A_node_that_backs_up_one_entry_per_round_trip_fails_fast_backup_but_replicates()
    {
        var grader = new Grader(NodeLoader.FromType(typeof(SlowBackupNode), "--node SlowBackupNode.dll"), 2);
        var slow = grader.Run(Labs.TestsOf(2).Single(t => t.Name == "fast-backup"), FewSeeds);
        Assert.That(slow.Passed, Is.Zero);
        Assert.That(slow.FirstFailure!.Message, Does.Contain("rejected").And.Contain("AppendEntries before it matched"));
        Assert.That(grader.Run(Labs.TestsOf(2).Single(t => t.Name == "basic-agreement"), FewSeeds).Ok, Is.True);
    }

    [Test]
    public void A_class_without_the_contract_constructor_is_a_clear_load_error()
    {
        var e = Assert.Throws<NodeLoadException>(() => NodeLoader.FromType(typeof(WrongConstructorNode), "--node x.dll"));
        Assert.That(e!.Message, Does.Contain("no public constructor").And.Contain("IRandomSource random"));
    }

    [Test]
    public void A_failure_of_the_reference_core_in_a_run_replay_can_repeat_prints_a_replay_command()
    {
        var grader = new Grader(NodeSource.Reference(TeachingBug.ReplyBeforePersist), 1);
        var (outcome, _, _) = grader.RunSeed(Labs.TestsOf(1).Single(t => t.Name == "one-election-without-faults"), 1, keepTrace: false);
        Assert.That(outcome.Failure!.What, Is.EqualTo("PersistBeforeSend"));
        Assert.That(outcome.Failure.Command, Does.Contain("replay --seed 1 --nodes 3 --duration 5s --faults none --clients 3 --bug reply-before-persist"));
    }

    [Test]
    public void A_seed_grades_the_same_every_time_whatever_the_jobs()
    {
        var test = Labs.TestsOf(2).Single(t => t.Name == "rejoin-old-leader");
        var bug = NodeSource.Reference(TeachingBug.VoteWithoutLogCheck);
        var first = new Grader(bug, 2).RunSeed(test, 5, keepTrace: false).Result!.Digest;
        Assert.That(new Grader(bug, 2).RunSeed(test, 5, keepTrace: false).Result!.Digest, Is.EqualTo(first));
        ulong[] seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var one = new Grader(bug, 2).Run(test, seeds);
        var two = new Grader(bug, 2) { ForEachSeed = Raft.Simulation.Cli.GradeCommand.ParallelSeeds(2) }.Run(test, seeds);
        Assert.That((two.Passed, two.FirstFailure?.Seed, two.FirstFailure?.Message), Is.EqualTo((one.Passed, one.FirstFailure?.Seed, one.FirstFailure?.Message)));
    }

    [Test]
    public void Every_test_is_in_docs_grading_md()
    {
        var doc = File.ReadAllText(DocPath());
        foreach (var lab in Labs.Numbers)
            foreach (var test in Labs.TestsOf(lab))
                Assert.That(doc, Does.Contain($"`{test.Name}`"), $"lab {lab} test {test.Name}");
    }

    [Test]
    public void Every_test_is_in_its_lab_s_handout_under_the_name_the_grader_prints()
    {
        foreach (var lab in Labs.Numbers)
        {
            var handout = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(DocPath())!, "..", "labs"), $"lab{lab}-*.md").Single();
            var text = File.ReadAllText(handout);
            foreach (var test in Labs.TestsOf(lab))
                Assert.That(text, Does.Contain($"| `{test.Name}` |"), $"{Path.GetFileName(handout)}: {test.Name}");
        }
    }

    /// <summary>The teaching-bug table of docs/grading.md: bug -> (lab, test) pairs from its last column, e.g. <c>2:rejoin-old-leader</c>.</summary>
    private static Dictionary<string, List<(int Lab, string Test)>> BugTable()
    {
        var rows = new Dictionary<string, List<(int, string)>>();
        foreach (var line in File.ReadAllLines(DocPath()))
        {
            var match = BugRow().Match(line);
            if (!match.Success) continue;
            rows[match.Groups["bug"].Value] = TestRef().Matches(match.Groups["tests"].Value)
                .Select(m => (int.Parse(m.Groups["lab"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["test"].Value)).ToList();
        }
        return rows;
    }

    internal static string DocPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "docs", "grading.md");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("docs/grading.md above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `(?<bug>[a-z][a-z-]*)` \|[^|]*\|[^|]*\|(?<tests>[^|]*)\|\s*$")]
    private static partial Regex BugRow();

    [GeneratedRegex(@"`(?<lab>[1-4]):(?<test>[a-z-]+)`")]
    private static partial Regex TestRef();
}
