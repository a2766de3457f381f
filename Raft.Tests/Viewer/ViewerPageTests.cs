using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Raft.Core;
using Raft.Simulation;
using Raft.Simulation.Faults;
using Raft.Simulation.Viewer;
using Raft.Tests.Simulation;

namespace Raft.Tests.Viewer;

/// <summary>
/// The viewer page as a file, without a browser: one self-contained file (no script, style or
/// font fetched from anywhere), every event embedded exactly as the NDJSON trace has it, the data
/// unable to end its script element early; and the --html options of replay, run and explore.
/// </summary>
public sealed partial class ViewerPageTests
{
    private static (string Page, Raft.Simulation.Simulation Simulation) Page(SimulationOptions options)
    {
        var simulation = new Raft.Simulation.Simulation(options with { KeepTrace = true });
        var result = simulation.Run();
        var writer = new StringWriter();
        ViewerPage.Write(writer, ViewerPage.ForSimulation(simulation, result, "test"), simulation.Trace.All);
        return (writer.ToString(), simulation);
    }

    [GeneratedRegex("<script id=\"raft-trace\" type=\"application/x-ndjson\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex TraceData();

    [GeneratedRegex("<script id=\"raft-meta\" type=\"application/json\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex MetaData();

    [Test]
    public void A_page_fetches_nothing_from_anywhere()
    {
        var (page, _) = Page(new SimulationOptions { Seed = 1, DurationMicros = 1_000_000 });
        Assert.That(page, Does.Not.Match("<script[^>]*\\ssrc="), "no external script");
        Assert.That(page, Does.Not.Match("<link[^>]*stylesheet"), "no external style");
        Assert.That(page, Does.Not.Match("(src|href)\\s*=\\s*[\"']?(https?:)?//"), "no network address in src or href");
        Assert.That(page, Does.Not.Contain("@import").And.Not.Match("url\\(\\s*[\"']?(https?:)?//"), "no style fetched");
        Assert.That(page, Does.Not.Contain(ViewerPage.MetaPlaceholder).And.Not.Contain(ViewerPage.TracePlaceholder));
    }

    [Test]
    public void Every_event_is_embedded_as_its_ndjson_line_and_no_data_can_end_the_script_early()
    {
        // Chaos with clients: operations such as "cas k1 <none>->1.1" put '<' in the data.
        var (page, simulation) = Page(new SimulationOptions { Seed = 3, Faults = FaultProfile.Chaos, DurationMicros = 2_000_000 });
        var data = TraceData().Match(page);
        Assert.That(data.Success, "the trace's script element");
        Assert.That(data.Groups[1].Value, Does.Not.Contain("<"), "a '<' in the data could close the element");
        var lines = data.Groups[1].Value.Split('\n');
        var events = simulation.Trace.All;
        Assert.That(lines, Has.Length.EqualTo(events.Count));
        Assert.That(events.Any(e => e.ToJson().Contains('<', StringComparison.Ordinal)), "the run has a '<' to escape (else this test proves nothing)");
        for (var i = 0; i < events.Count; i++)
            Assert.That(JsonNode.DeepEquals(JsonNode.Parse(lines[i]), JsonNode.Parse(events[i].ToJson())), $"event {i}: {lines[i]}");

        using var meta = JsonDocument.Parse(MetaData().Match(page).Groups[1].Value);
        Assert.That(meta.RootElement.GetProperty("servers").GetArrayLength(), Is.EqualTo(3));
        Assert.That(meta.RootElement.GetProperty("timeUnit").GetString(), Is.EqualTo("us"));
    }

    [Test]
    public void Replay_writes_a_page_and_refuses_a_folder_with_a_usage_error()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"raft-viewer-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            var (refused, _, stderr) = RaftSim.Run("replay", "--seed", "2", "--duration", "1s", "--summary-only", "--html", folder);
            Assert.That(refused, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("it is a folder").And.Contain("Usage"));

            var (missing, _, stderr2) = RaftSim.Run("replay", "--seed", "2", "--duration", "1s", "--summary-only", "--html", Path.Combine(folder, "no", "such", "x.html"));
            Assert.That(missing, Is.EqualTo(2));
            Assert.That(stderr2, Does.Contain("no such folder"));

            var page = Path.Combine(folder, "run.html");
            var (code, stdout, _) = RaftSim.Run("replay", "--seed", "2", "--duration", "1s", "--summary-only", "--html", page);
            Assert.That(code, Is.Zero, stdout);
            Assert.That(stdout, Does.Contain("viewer").And.Contain(page));
            var html = File.ReadAllText(page);
            Assert.That(html, Does.Contain("replay --seed 2 ").And.Contain("--duration 1s"), "the page says how to repeat the run");
            Assert.That(File.Exists(page + ".partial"), Is.False);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Run_writes_a_scenario_page_with_its_commands_and_explore_writes_the_failing_seed()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"raft-viewer-run-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            var story = Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "scenarios", "paper", "figure8.scn");
            var page = Path.Combine(folder, "story.html");
            var (code, stdout, _) = RaftSim.Run("run", story, "--html", page);
            Assert.That(code, Is.Zero, stdout);
            var html = File.ReadAllText(page);
            Assert.That(html, Does.Contain("\"timeUnit\":\"step\"").And.Contain("\"scenario\":\"figure8.scn\""));
            Assert.That(html, Does.Contain("\"detail\":\"\\u003e cluster").Or.Contain("\"detail\":\"> cluster"), "the story's commands are notes in the trace");

            var failing = Path.Combine(folder, "failing.html");
            var (exit, output, _) = RaftSim.Run("explore", "--seeds", "3", "--duration", "2s", "--faults", "none", "--bug", "reply-before-persist", "--jobs", "1", "--html", failing);
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("viewer").And.Contain("seed 1"));
            Assert.That(File.ReadAllText(failing), Does.Contain("\"outcome\":\"violation\"").And.Contain("PersistBeforeSend"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
