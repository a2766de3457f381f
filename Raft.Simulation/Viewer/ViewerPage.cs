using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Raft.Simulation.Checkers;
using Raft.Simulation.Checkers.Linearizability;
using Raft.Simulation.Scenarios;
using Raft.Simulation.Tracing;

namespace Raft.Simulation.Viewer;

/// <summary>
/// Writes a run as one self-contained HTML page (the viewer): the page's script and style are
/// inline in <c>viewer.html</c> (an embedded resource), and the run is embedded as data: a JSON
/// object about the run (<see cref="ViewerMeta"/>) and the trace as NDJSON, the same lines
/// <c>replay --trace FILE.ndjson</c> writes (docs/trace-format.md). No server, no network.
/// <para>
/// Inside a script element the text <c>&lt;/script</c> would end it early; every <c>&lt;</c> of the
/// data is written as <c>\u003c</c>, which JSON reads back as the same character.
/// </para>
/// </summary>
public static class ViewerPage
{
    public const string MetaPlaceholder = "{{RAFT_META}}";
    public const string TracePlaceholder = "{{RAFT_TRACE}}";

    private static readonly JsonSerializerOptions MetaJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.Default, // escapes <, > and & as \u003C...
    };

    /// <summary>The page template: the viewer's markup, style and script, with the two placeholders.</summary>
    public static string Template { get; } = LoadTemplate();

    private static string LoadTemplate()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Raft.Simulation.Viewer.viewer.html")
            ?? throw new InvalidOperationException("the viewer template is not embedded in raft-sim");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Writes the page to <paramref name="path"/>, whole or not at all (a temporary file renamed at the end).</summary>
    public static void Write(string path, ViewerMeta meta, IEnumerable<TraceEvent> events)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".partial";
        try
        {
            using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
                Write(writer, meta, events);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // gone already after the move; a half-written page must not stay
        }
    }

    /// <summary>Writes the page to <paramref name="writer"/>: the template with the run's data in place of its placeholders.</summary>
    public static void Write(TextWriter writer, ViewerMeta meta, IEnumerable<TraceEvent> events)
    {
        var template = Template;
        var metaAt = template.IndexOf(MetaPlaceholder, StringComparison.Ordinal);
        var traceAt = template.IndexOf(TracePlaceholder, StringComparison.Ordinal);
        if (metaAt < 0 || traceAt < metaAt) throw new InvalidOperationException("the viewer template lacks its placeholders, meta before trace");
        writer.Write(template.AsSpan(0, metaAt));
        writer.Write(JsonSerializer.Serialize(meta, MetaJson));
        writer.Write(template.AsSpan(metaAt + MetaPlaceholder.Length, traceAt - metaAt - MetaPlaceholder.Length));
        var first = true;
        foreach (var e in events)
        {
            if (!first) writer.Write('\n');
            first = false;
            writer.Write(e.ToJson().Replace("<", "\\u003c", StringComparison.Ordinal));
        }
        writer.Write(template.AsSpan(traceAt + TracePlaceholder.Length));
    }

    /// <summary>What the page says about a simulated run: how to repeat it, its outcome and the checks.</summary>
    public static ViewerMeta ForSimulation(Simulation simulation, SimulationResult result, string command) => new(
        Title: command,
        Command: command,
        TimeUnit: "us",
        Servers: simulation.Servers.Select(s => s.ToString()).ToList(),
        Voters: simulation.Members.Select(s => s.ToString()).ToList(),
        Clients: simulation.ClientCount,
        EndMicros: result.EndMicros,
        Digest: result.Digest,
        Outcome: result.Violation is not null ? "violation" : result.Inconclusive ? "inconclusive" : "ok",
        Violation: result.Violation is { } v ? new ViewerViolation(v.Property.ToString(), v.Node, v.TimeMicros, v.Message) : null,
        Properties: Enum.GetValues<Property>().Where(p => (p != Property.LeaderStability || simulation.Options.ExpectStableLeader) && (p != Property.Progress || simulation.Options.ProgressWindowTimeouts > 0)).Select(p => p.ToString()).ToList(),
        Linearizability: Lin(result.Linearizability));

    /// <summary>What the page says about a scenario run (rewinds included): its first violation, or the expectation that failed.</summary>
    public static ViewerMeta ForScenario(string scenarioPath, ScenarioInterpreter interpreter, ScenarioException? error)
    {
        var trace = interpreter.RunTrace;
        var cluster = interpreter.Cluster;
        var found = cluster?.Safety.Found ?? [];
        var violation = found.Count > 0
            ? new ViewerViolation(found[0].Property.ToString(), found[0].Node,
                trace.All.FirstOrDefault(e => e.Kind == TraceKind.Violation).TimeMicros, found[0].Message)
            : error is null ? null : new ViewerViolation("ScenarioExpectation", "-", trace.All.Count == 0 ? 0 : trace.All[^1].TimeMicros, error.Message);
        return new ViewerMeta(
            Title: $"raft-sim run {scenarioPath}",
            Command: $"raft-sim run {scenarioPath}",
            TimeUnit: "step",
            Servers: cluster?.Members.Select(m => m.ToString()).ToList() ?? [],
            Voters: cluster?.InitialVoters.Select(m => m.ToString()).ToList() ?? [],
            Clients: 0,
            EndMicros: trace.All.Count == 0 ? 0 : trace.All[^1].TimeMicros,
            Digest: trace.Digest,
            Outcome: found.Count > 0 ? "violation" : error is null ? "ok" : "failed",
            Violation: violation,
            Properties: ScenarioSafety.Checked.Select(p => p.ToString()).ToList(),
            Linearizability: null,
            Scenario: Path.GetFileName(scenarioPath));
    }

    private static ViewerLinearizability? Lin(LinearizabilityResult? result) => result is null ? null : new(
        Outcome: result.Outcome switch
        {
            LinearizabilityOutcome.Linearizable => "linearizable",
            LinearizabilityOutcome.Violation => "violation",
            _ => "inconclusive",
        },
        Key: result.Key,
        Culprit: result.Culprit is { } culprit ? Operation(culprit) : null,
        Operations: result.Outcome == LinearizabilityOutcome.Violation ? result.IllegalHistory.Select(Operation).ToList() : []);

    private static ViewerOperation Operation(History.ClientOperation op) =>
        new(op.ClientId, op.Command.Sequence, op.Command.ToString(), op.InvokedAt, op.CompletedAt, op.Result?.Value);
}

/// <summary>
/// The page's data about a run besides its events (the page reads it as JSON, camelCase).
/// <c>TimeUnit</c> is <c>us</c> for simulated runs (virtual microseconds), <c>step</c> for scenarios
/// (one unit per node step). <c>Scenario</c> names the scenario file of a scenario run, whose
/// commands are <c>note</c> events starting with <c>&gt; </c>.
/// </summary>
public sealed record ViewerMeta(
    string Title,
    string Command,
    string TimeUnit,
    IReadOnlyList<string> Servers,
    IReadOnlyList<string> Voters,
    int Clients,
    long EndMicros,
    string Digest,
    string Outcome,
    ViewerViolation? Violation,
    IReadOnlyList<string> Properties,
    ViewerLinearizability? Linearizability,
    string? Scenario = null);

/// <summary>The property a run broke, where and when.</summary>
public sealed record ViewerViolation(string Property, string Node, long AtMicros, string Message);

/// <summary>The linearizability verdict; on a violation, <c>Operations</c> is the small illegal sub-history the checker found (the page highlights it).</summary>
public sealed record ViewerLinearizability(string Outcome, string? Key, ViewerOperation? Culprit, IReadOnlyList<ViewerOperation> Operations);

/// <summary>A client operation: <c>Call</c> is the virtual µs of the call, <c>Ret</c> of the answer (null if none came).</summary>
public sealed record ViewerOperation(long Client, long Sequence, string Op, long Call, long? Ret, string? Value);
