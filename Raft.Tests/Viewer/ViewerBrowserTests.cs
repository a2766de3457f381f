using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Checkers;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Faults;
using Raft.Simulation.Scenarios;
using Raft.Simulation.Viewer;

using ReadModeTests = Raft.Tests.Simulation.ReadModeTests;

namespace Raft.Tests.Viewer;

/// <summary>
/// The viewer in a real browser: pages made from a scenario, from a violation a teaching bug
/// causes, and from a long chaos run are opened in headless Chromium, moved to an event, and
/// what they show (each server's status, role, term, commit index and log; the broken property;
/// the illegal operations) is compared with the simulator's own state at that event, read from
/// the nodes and not from the trace the page was made of. Screenshots are saved as artifacts.
/// </summary>
[NonParallelizable]
public sealed class ViewerBrowserTests
{
    private BrowserSession browser = null!;

    [OneTimeSetUp]
    public async Task StartBrowser() => browser = await BrowserSession.StartOrSkip();

    [OneTimeTearDown]
    public async Task StopBrowser()
    {
        if (browser is not null) await browser.DisposeAsync();
    }

    private static string PagePath(string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "viewer-artifacts");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name + ".html");
    }

    /// <summary>A simulated run stepped one event at a time, with the simulator's state kept at some events.</summary>
    private sealed record SteppedRun(Raft.Simulation.Simulation Simulation, SimulationResult Result, List<(int Event, IReadOnlyList<ServerView> Servers)> Samples);

    /// <summary>
    /// Runs like <see cref="Raft.Simulation.Simulation.Run"/> but one event at a time, and keeps
    /// the servers' state after every <paramref name="every"/>-th event at which no step is waiting
    /// for its disk (such a step's changes are recorded when its writes are durable).
    /// </summary>
    private static SteppedRun Step(SimulationOptions options, int every)
    {
        var simulation = new Raft.Simulation.Simulation(options with { KeepTrace = true });
        var samples = new List<(int, IReadOnlyList<ServerView>)>();
        var deadline = options.DurationMicros;
        var next = 0L;
        while (simulation.Violation is null && simulation.Now <= deadline && simulation.StepEvent())
        {
            var count = (int)simulation.Trace.Count;
            if (count >= next && count > 0 && SimulatorViews.Settled(simulation))
            {
                samples.Add((count - 1, SimulatorViews.Of(simulation)));
                next = count + every;
            }
        }
        var result = simulation.Run(); // finishes the run (liveness, linearizability) from where it is
        if (SimulatorViews.Settled(simulation)) samples.Add(((int)simulation.Trace.Count - 1, SimulatorViews.Of(simulation)));
        return new SteppedRun(simulation, result, samples);
    }

    private static string WritePage(string name, SteppedRun run)
    {
        var path = PagePath(name);
        ViewerPage.Write(path, ViewerPage.ForSimulation(run.Simulation, run.Result, name), run.Simulation.Trace.All);
        return path;
    }

    private static async Task AssertShowsSamples(ViewerTab tab, IEnumerable<(int Event, IReadOnlyList<ServerView> Servers)> samples)
    {
        var compared = 0;
        foreach (var (index, servers) in samples)
        {
            await tab.Seek(index);
            var shown = (await tab.Servers()).Select(s => s.Comparable).ToList();
            Assert.That(shown, Is.EqualTo(servers), $"at event {index}: {await tab.Text("#event-detail")}");
            compared++;
        }
        Assert.That(compared, Is.GreaterThan(0), "no event was compared");
        Assert.That(tab.Errors, Is.Empty, "script errors on the page");
    }

    [Test]
    public async Task Figure_8_page_shows_each_server_as_the_story_left_it_after_every_command()
    {
        var file = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "scenarios", "paper", "figure8.scn"));
        var script = ScenarioParser.ParseFile(file);
        var interpreter = new ScenarioInterpreter();
        var samples = new List<(int, IReadOnlyList<ServerView>)>();
        var commandNotes = 0;
        foreach (var command in script.Commands)
        {
            interpreter.Execute(command);
            if (interpreter.Cluster is { } cluster && interpreter.RunTrace.Count > 0)
                samples.Add(((int)interpreter.RunTrace.Count - 1, SimulatorViews.Of(cluster)));
            commandNotes++;
        }
        var path = PagePath("figure8");
        ViewerPage.Write(path, ViewerPage.ForScenario(file, interpreter, null), interpreter.RunTrace.All);

        var tab = await browser.Open(path);
        Assert.That(await tab.Count(), Is.EqualTo(interpreter.RunTrace.Count));
        await AssertShowsSamples(tab, samples);
        // The story's commands are in the trace, so a reader can step command by command.
        var firstCommand = interpreter.RunTrace.All.Select((e, i) => (e, i)).First(x => x.e.Detail.StartsWith("> ", StringComparison.Ordinal)).i;
        await tab.Seek(firstCommand);
        Assert.That(await tab.Text("#event-detail"), Does.StartWith("> "));
        await tab.Seek(await tab.Count() - 1);
        await tab.Screenshot("figure8");
        TestContext.Out.WriteLine($"figure8: {commandNotes} commands, {interpreter.RunTrace.Count} events, {new FileInfo(path).Length} bytes, ready in {tab.LoadTime.TotalMilliseconds:0} ms");
    }

    [Test]
    public async Task A_violation_page_marks_the_broken_property_at_its_event_and_not_before()
    {
        // A leader elected without the log check lacks a committed entry: seed 4 shows it within half a second.
        var options = new SimulationOptions { Seed = 4, Faults = FaultProfile.Chaos, MaxClockDrift = 0.05, Raft = new RaftOptions { Bug = TeachingBug.VoteWithoutLogCheck } };
        var run = Step(options, every: 25);
        Assert.That(run.Result.Violation?.Property, Is.EqualTo(Property.LeaderCompleteness), "the teaching bug must break Leader Completeness on this seed");
        var tab = await browser.Open(WritePage("violation", run));
        await AssertShowsSamples(tab, run.Samples);

        var violationAt = run.Simulation.Trace.All.Select((e, i) => (e, i)).Last(x => x.e.Kind == Raft.Simulation.Tracing.TraceKind.Violation).i;
        await tab.Seek(violationAt - 1);
        Assert.That(await tab.Attribute("#checks li[data-property='LeaderCompleteness']", "data-state"), Is.EqualTo("ok"));
        Assert.That(await tab.Text("#violation"), Is.Empty);

        await tab.Seek(0);
        await tab.Page.ClickAsync("#next-violation");
        Assert.That(await tab.Cursor(), Is.EqualTo(violationAt), "'next violation' goes to the violation");
        Assert.That(await tab.Attribute("#checks li[data-property='LeaderCompleteness']", "data-state"), Is.EqualTo("broken"));
        Assert.That(await tab.Attribute("#checks li[data-property='ElectionSafety']", "data-state"), Is.EqualTo("ok"));
        Assert.That(await tab.Text("#violation"), Does.Contain(run.Result.Violation!.Message));
        await tab.Screenshot("violation");
    }

    [Test]
    public async Task A_chaos_run_page_matches_the_simulator_at_events_across_the_run()
    {
        var options = new SimulationOptions { Seed = 3, Nodes = 5, Clients = 4, Faults = FaultProfile.Chaos, SnapshotEveryEntries = 50 };
        var run = Step(options, every: 700);
        Assert.That(run.Simulation.Trace.All.Any(e => e.Kind == Raft.Simulation.Tracing.TraceKind.Recover), "the run must restart a crashed node");
        var path = WritePage("chaos", run);
        var tab = await browser.Open(path);
        Assert.That(await tab.Count(), Is.EqualTo(run.Simulation.Trace.Count));
        await AssertShowsSamples(tab, run.Samples);
        Assert.That(run.Samples.Count(s => s.Servers.Any(v => v.Progress.Length > 0)), Is.GreaterThan(5), "leaders' progress compared");
        await tab.Seek(run.Samples[run.Samples.Count / 2].Event);
        await tab.Screenshot("chaos");
        // A figure, not an assertion (speed is measured, not tested): the closing note and docs quote it.
        TestContext.Out.WriteLine($"chaos: {run.Simulation.Trace.Count} events, {new FileInfo(path).Length} bytes, ready in {tab.LoadTime.TotalMilliseconds:0} ms, {run.Samples.Count} events compared");
    }

    [Test]
    public async Task After_a_crash_the_page_shows_the_log_the_disk_kept_not_the_log_before_the_crash()
    {
        // A slow disk and crashes in the middle of client traffic: writes not yet synced are lost,
        // so each restarted server's log is shorter than (or differs from) the one it had.
        var options = new SimulationOptions
        {
            Seed = 11, Nodes = 3, DurationMicros = 1_500_000, DiskSyncMicros = 20_000,
            Schedule = FaultScheduleText.Parse("at 700ms crash n1; at 701ms crash n2; at 702ms crash n3; at 1s restart n1; at 1s restart n2; at 1s restart n3"),
        };
        var run = Step(options, every: 20);
        Assert.That(run.Simulation.Nodes.Values.Sum(n => n.Disk.LostWrites), Is.GreaterThan(0), "the crashes must lose unsynced writes, or this test shows nothing");
        var tab = await browser.Open(WritePage("crash", run));
        await AssertShowsSamples(tab, run.Samples.Where(s => s.Event >= FirstOf(run, Raft.Simulation.Tracing.TraceKind.Recover) - 50));
    }

    private static int FirstOf(SteppedRun run, Raft.Simulation.Tracing.TraceKind kind) =>
        run.Simulation.Trace.All.Select((e, i) => (e, i)).First(x => x.e.Kind == kind).i;

    [Test]
    public async Task A_linearizability_violation_highlights_the_operations_of_the_illegal_sub_history()
    {
        // As in ReadModeTests: a leader that serves reads without confirming it still leads is caught.
        SteppedRun? run = null;
        for (ulong seed = 1; seed <= 10 && run is null; seed++)
        {
            var candidate = Step(ReadModeTests.Options(seed, ReadMode.ReadIndex, 0, TeachingBug.ReadWithoutQuorumCheck), every: 2000);
            if (candidate.Result.Violation?.Property == Property.Linearizability) run = candidate;
        }
        Assert.That(run, Is.Not.Null, "no seed of 10 showed the stale read");
        var illegal = run!.Result.Linearizability!.IllegalHistory;
        Assert.That(illegal, Is.Not.Empty);
        var tab = await browser.Open(WritePage("linearizability", run));
        await tab.Page.ClickAsync("#next-violation");
        var shown = await tab.Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#lin-ops li')].map(li => li.dataset.client + '@' + li.dataset.call)");
        Assert.That(shown, Is.EquivalentTo(illegal.Select(o => $"{o.ClientId}@{o.InvokedAt}")));
        Assert.That(await tab.Attribute("#checks li[data-property='Linearizability']", "data-state"), Is.EqualTo("broken"));
        Assert.That(tab.Errors, Is.Empty);
        await tab.Screenshot("linearizability");
    }

    [Test]
    public async Task The_url_fragment_keeps_the_cursor_and_the_controls_move_it()
    {
        var run = Step(new SimulationOptions { Seed = 7, DurationMicros = 3_000_000, Faults = FaultProfile.Chaos }, every: 100_000);
        var path = WritePage("controls", run);
        var tab = await browser.Open(path, "#e=123");
        Assert.That(await tab.Cursor(), Is.EqualTo(123), "the fragment chose the event");
        Assert.That(await tab.Text("#cursor-index"), Is.EqualTo("123"));

        await tab.Page.Keyboard.PressAsync("ArrowRight");
        Assert.That(await tab.Cursor(), Is.EqualTo(124));
        Assert.That(await tab.Page.EvaluateAsync<string>("() => location.hash"), Is.EqualTo("#e=124"));

        await tab.Page.ClickAsync("#next-commit");
        Assert.That(await tab.Text("#event-kind"), Is.EqualTo("commit"));
        var commitAt = await tab.Cursor();
        var expected = run.Simulation.Trace.All.Select((e, i) => (e, i)).First(x => x.i > 124 && x.e.Kind == Raft.Simulation.Tracing.TraceKind.Commit).i;
        Assert.That(commitAt, Is.EqualTo(expected));

        // An election: a node's timeout or a node becoming leader.
        await tab.Page.ClickAsync("#next-election");
        var election = run.Simulation.Trace.All.Select((e, i) => (e, i)).First(x => x.i > commitAt &&
            (x.e.Kind == Raft.Simulation.Tracing.TraceKind.Timeout || (x.e.Kind == Raft.Simulation.Tracing.TraceKind.Role && x.e.Second == (long)Role.Leader))).i;
        Assert.That(await tab.Cursor(), Is.EqualTo(election));

        await tab.Page.FillAsync("#scrubber", "40");
        await tab.Page.DispatchEventAsync("#scrubber", "input");
        Assert.That(await tab.Cursor(), Is.EqualTo(40), "the scrubber moves the cursor");
        Assert.That(tab.Errors, Is.Empty);
    }

    [Test]
    public async Task A_trace_of_over_100000_events_still_opens_and_shows_the_final_state()
    {
        var options = new SimulationOptions { Seed = 5, Nodes = 5, Clients = 4, Faults = FaultProfile.Chaos, SnapshotEveryEntries = 100, DurationMicros = 110_000_000 };
        var run = Step(options, every: 40_000);
        Assert.That(run.Simulation.Trace.Count, Is.GreaterThan(100_000));
        var path = WritePage("large", run);
        var tab = await browser.Open(path);
        await AssertShowsSamples(tab, run.Samples);
        TestContext.Out.WriteLine($"large: {run.Simulation.Trace.Count} events, {new FileInfo(path).Length} bytes, ready in {tab.LoadTime.TotalMilliseconds:0} ms");
    }
}
