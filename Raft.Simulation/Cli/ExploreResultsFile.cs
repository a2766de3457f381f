using System.Globalization;
using System.Text;
using System.Text.Json;
using Raft.Simulation.Checkers;

namespace Raft.Simulation.Cli;

/// <summary>
/// Reads and writes results files (NDJSON, one JSON object per line):
/// <list type="number">
/// <item>a header: <c>{"format":"raft-sim-explore-results","version":1,"kind":"header","firstSeed":1,"seeds":12,"shard":"0/3","options":"--nodes 3 ...","linBudget":10000000,"started":"..."}</c>;</item>
/// <item>one line per seed of the shard, in seed order: <c>{"kind":"seed","seed":4,"options":"...","linBudget":...,"digest":"...","verdict":"ok",
/// "elections":2,"commits":31,"clientOps":40,"configChanges":0,"messagesSent":900,"messagesDropped":12,"virtualMicros":2000000}</c>,
/// with <c>property</c>, <c>violationAtMicros</c>, <c>violationNode</c>, <c>violationMessage</c>,
/// <c>recentTrace</c> and <c>servers</c> for a violation, <c>linKey</c> and <c>linSteps</c> for an inconclusive seed;</item>
/// <item>an end line: <c>{"kind":"end","seedsWritten":4,"wallSeconds":1.234,"finished":"..."}</c>.</item>
/// </list>
/// A file is written whole to a temporary file beside it and renamed into place, so a process
/// killed half way leaves no file under the name; a file cut short anyway (copied half) lacks its
/// end line, and <see cref="Read"/> refuses it.
/// </summary>
public static class ExploreResultsFile
{
    public const string Format = "raft-sim-explore-results";
    public const int Version = 1;

    /// <summary>Writes <paramref name="results"/> to <paramref name="path"/> atomically (temporary file, then rename). Throws IOException or UnauthorizedAccessException.</summary>
    public static void Write(string path, ExploreResults results)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.partial");
        try
        {
            using (var file = new StreamWriter(temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                file.NewLine = "\n";
                foreach (var line in Lines(results)) file.WriteLine(line);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The lines of a results file: header, one per seed, end.</summary>
    public static IEnumerable<string> Lines(ExploreResults results)
    {
        yield return Json(w =>
        {
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
            w.WriteString("kind", "header");
            w.WriteNumber("firstSeed", results.FirstSeed);
            w.WriteNumber("seeds", results.Seeds);
            w.WriteString("shard", results.Shard.ToString());
            w.WriteString("options", results.Options);
            w.WriteNumber("linBudget", results.LinBudget);
            w.WriteString("started", results.Started.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        });
        foreach (var outcome in results.Outcomes) yield return SeedLine(outcome);
        yield return Json(w =>
        {
            w.WriteString("kind", "end");
            w.WriteNumber("seedsWritten", results.Outcomes.Count);
            w.WriteNumber("wallSeconds", Math.Round(results.Wall.TotalSeconds, 3));
            w.WriteString("finished", results.Finished.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        });
    }

    private static string SeedLine(SeedOutcome o) => Json(w =>
    {
        w.WriteString("kind", "seed");
        w.WriteNumber("seed", o.Seed);
        w.WriteString("options", o.Options);
        w.WriteNumber("linBudget", o.LinBudget);
        w.WriteString("digest", o.Digest);
        w.WriteString("verdict", RunOptionSet.Kebab(o.Verdict.ToString()));
        w.WriteNumber("elections", o.Elections);
        w.WriteNumber("commits", o.Commits);
        w.WriteNumber("clientOps", o.ClientOperations);
        w.WriteNumber("configChanges", o.ConfigurationChanges);
        w.WriteNumber("messagesSent", o.MessagesSent);
        w.WriteNumber("messagesDropped", o.MessagesDropped);
        w.WriteNumber("virtualMicros", o.VirtualMicros);
        if (o.Violation is { } violation)
        {
            w.WriteString("property", violation.Property.ToString());
            w.WriteNumber("violationAtMicros", violation.TimeMicros);
            w.WriteString("violationNode", violation.Node);
            w.WriteString("violationMessage", violation.Message);
            WriteStrings(w, "recentTrace", o.RecentTrace);
            WriteStrings(w, "servers", o.Servers);
        }
        if (o.Verdict == SeedVerdict.Inconclusive)
        {
            w.WriteString("linKey", o.LinearizabilityKey);
            w.WriteNumber("linSteps", o.LinearizabilitySteps);
        }
    });

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values) w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Reads a results file. Throws <see cref="FormatException"/> when the file is not a results
    /// file at all (its first line is no header of this format and version: a usage error), and
    /// <see cref="InvalidDataException"/> when it is one but incomplete or damaged (no end line, a
    /// line that is not JSON, a seed line that disagrees with the header).
    /// </summary>
    public static ExploreResults Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = ParseHeader(path, lines.Length == 0 ? "" : lines[0]);
        var outcomes = new List<SeedOutcome>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            using var line = ParseLine(path, i + 1, lines[i]);
            var root = line.RootElement;
            var kind = Text(root, "kind", path, i + 1);
            if (kind == "end")
            {
                if (lines.Skip(i + 1).Any(l => l.Length > 0)) throw new InvalidDataException($"{path}:{i + 2}: lines after the end line.");
                var written = Int(root, "seedsWritten", path, i + 1);
                if (written != outcomes.Count) throw new InvalidDataException($"{path}: the end line counts {written} seeds but the file holds {outcomes.Count}.");
                return header with
                {
                    Wall = TimeSpan.FromSeconds(Number(root, "wallSeconds", path, i + 1)),
                    Finished = Time(root, "finished", path, i + 1),
                    Outcomes = outcomes,
                };
            }
            if (kind != "seed") throw new InvalidDataException($"{path}:{i + 1}: unknown line kind '{kind}'.");
            var outcome = ParseSeed(root, path, i + 1);
            if (outcome.Options != header.Options || outcome.LinBudget != header.LinBudget)
                throw new InvalidDataException($"{path}:{i + 1}: seed {outcome.Seed} ran with other options than the header says.");
            outcomes.Add(outcome);
        }
        throw new InvalidDataException($"{path}: incomplete, no end line after {outcomes.Count} seed(s): the shard that wrote it did not finish, or the file was cut short. Run that shard again.");
    }

    private static ExploreResults ParseHeader(string path, string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            throw new FormatException($"{path} is not a raft-sim results file (write one with explore --results).");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
                throw new FormatException($"{path} is not a raft-sim results file (write one with explore --results).");
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version)
                throw new FormatException($"{path} is a results file of another version of raft-sim (this one reads version {Version}).");
            try
            {
                var shardText = Text(root, "shard", path, 1);
                if (!SeedShard.TryParse(shardText, out var shard, out var problem)) throw new InvalidDataException($"{path}:1: {problem}");
                return new ExploreResults(
                    ULong(root, "firstSeed", path, 1), Int(root, "seeds", path, 1), shard, Text(root, "options", path, 1), Long(root, "linBudget", path, 1),
                    Time(root, "started", path, 1), default, TimeSpan.Zero, []);
            }
            catch (InvalidDataException e)
            {
                throw new FormatException(e.Message, e);
            }
        }
    }

    private static SeedOutcome ParseSeed(JsonElement root, string path, int line)
    {
        var verdictText = Text(root, "verdict", path, line);
        var verdict = Enum.GetValues<SeedVerdict>().Cast<SeedVerdict?>().FirstOrDefault(v => RunOptionSet.Kebab(v!.Value.ToString()) == verdictText)
            ?? throw new InvalidDataException($"{path}:{line}: unknown verdict '{verdictText}'.");
        Violation? violation = null;
        if (verdict == SeedVerdict.Violation)
        {
            var propertyText = Text(root, "property", path, line);
            if (!Enum.TryParse<Property>(propertyText, out var property) || !Enum.IsDefined(property))
                throw new InvalidDataException($"{path}:{line}: unknown property '{propertyText}'.");
            violation = new Violation(property, Long(root, "violationAtMicros", path, line), Text(root, "violationNode", path, line), Text(root, "violationMessage", path, line));
        }
        var inconclusive = verdict == SeedVerdict.Inconclusive;
        return new SeedOutcome(
            ULong(root, "seed", path, line), Text(root, "options", path, line), Long(root, "linBudget", path, line), Text(root, "digest", path, line),
            verdict, violation,
            Int(root, "elections", path, line), Long(root, "commits", path, line), Int(root, "clientOps", path, line), Int(root, "configChanges", path, line),
            Long(root, "messagesSent", path, line), Long(root, "messagesDropped", path, line), Long(root, "virtualMicros", path, line),
            violation is null ? [] : Strings(root, "recentTrace", path, line),
            violation is null ? [] : Strings(root, "servers", path, line),
            inconclusive ? Text(root, "linKey", path, line) : null,
            inconclusive ? Long(root, "linSteps", path, line) : 0);
    }

    private static JsonDocument ParseLine(string path, int number, string line)
    {
        try
        {
            var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
        }
        catch (JsonException)
        {
        }
        throw new InvalidDataException($"{path}:{number}: not a JSON object (the file is damaged or cut short).");
    }

    private static JsonElement Field(JsonElement root, string name, JsonValueKind kind, string path, int line) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new InvalidDataException($"{path}:{line}: no {(kind == JsonValueKind.String ? "text" : kind.ToString().ToLowerInvariant())} '{name}'.");

    private static string Text(JsonElement root, string name, string path, int line) => Field(root, name, JsonValueKind.String, path, line).GetString()!;

    private static long Long(JsonElement root, string name, string path, int line) =>
        Field(root, name, JsonValueKind.Number, path, line).TryGetInt64(out var value) ? value : throw new InvalidDataException($"{path}:{line}: '{name}' is not a whole number.");

    private static int Int(JsonElement root, string name, string path, int line) =>
        Field(root, name, JsonValueKind.Number, path, line).TryGetInt32(out var value) && value >= 0 ? value : throw new InvalidDataException($"{path}:{line}: '{name}' is not a count.");

    private static ulong ULong(JsonElement root, string name, string path, int line) =>
        Field(root, name, JsonValueKind.Number, path, line).TryGetUInt64(out var value) ? value : throw new InvalidDataException($"{path}:{line}: '{name}' is not a seed.");

    private static double Number(JsonElement root, string name, string path, int line) => Field(root, name, JsonValueKind.Number, path, line).GetDouble();

    private static DateTimeOffset Time(JsonElement root, string name, string path, int line) =>
        DateTimeOffset.TryParse(Text(root, name, path, line), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : throw new InvalidDataException($"{path}:{line}: '{name}' is not a time.");

    private static List<string> Strings(JsonElement root, string name, string path, int line) =>
        Field(root, name, JsonValueKind.Array, path, line).EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InvalidDataException($"{path}:{line}: '{name}' holds something other than text."))
            .ToList();
}
