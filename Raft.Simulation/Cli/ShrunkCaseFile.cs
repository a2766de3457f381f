using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Raft.Simulation.Shrinking;

namespace Raft.Simulation.Cli;

/// <summary>
/// The file <c>explore --shrunk-out FILE</c> writes and <c>replay --case FILE</c> reads back: one
/// JSON object whose <c>arguments</c> are the replay arguments of the shrunk case, one string per
/// word, exactly as a shell would pass the printed replay command after <c>replay</c>:
/// <code>
/// { "format": "raft-sim-case/1",
///   "property": "LeaderCompleteness",
///   "violation": "LeaderCompleteness violated at 2301.202ms on n2: ...",
///   "shrunk": "schedule 14 -> 3 actions, clients 3 -> 1, duration 10s -> 2302ms",
///   "arguments": ["--seed", "1", "--nodes", "5", ..., "--schedule", "at 1.2s isolate n3; at 2s heal"] }
/// </code>
/// Only <c>arguments</c> is read; the other fields are for people. A hand-written file may hold
/// any replay arguments except <c>--case</c>.
/// </summary>
public static class ShrunkCaseFile
{
    public const string Format = "raft-sim-case/1";

    /// <summary>Writes the shrunk case of <paramref name="shrink"/>, replayed with the search budget of its options.</summary>
    public static void Write(string path, ShrinkResult shrink)
    {
        var arguments = new JsonArray();
        foreach (var word in Arguments(shrink.Shrunk)) arguments.Add(word);
        var json = new JsonObject
        {
            ["format"] = Format,
            ["property"] = shrink.Violation.Property.ToString(),
            ["violation"] = shrink.Violation.ToString(),
            ["shrunk"] = shrink.Changes(),
            ["arguments"] = arguments,
        };
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n", new UTF8Encoding(false));
    }

    /// <summary>The replay arguments of <paramref name="options"/>, after <c>replay</c>, one word each.</summary>
    public static IReadOnlyList<string> Arguments(SimulationOptions options)
    {
        var words = Words(ExploreCommand.ReplayArguments(options));
        if (words.Count == 0 || words[0] != "replay") throw new InvalidOperationException($"replay arguments no longer start with 'replay': {string.Join(' ', words)}");
        return words.Skip(1).ToList();
    }

    /// <summary>Reads the replay arguments of a case file; on a problem returns null and says what is wrong.</summary>
    public static IReadOnlyList<string>? Read(string path, out string problem)
    {
        problem = "";
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = Directory.Exists(path) ? $"case file {path} is a folder; name the file explore --shrunk-out wrote." : $"cannot read case file {path}: {e.Message}";
            return null;
        }
        try
        {
            if (JsonNode.Parse(text) is not JsonObject root) return Fail(out problem, path, "it is not a JSON object");
            if (root["arguments"] is not JsonArray array) return Fail(out problem, path, "it has no \"arguments\" array (the replay arguments, one string per word)");
            var words = new List<string>();
            foreach (var item in array)
            {
                if (item is not JsonValue value || !value.TryGetValue<string>(out var word)) return Fail(out problem, path, "every element of \"arguments\" must be a string");
                words.Add(word);
            }
            if (words.Count > 0 && words[0] == "replay") words.RemoveAt(0);
            if (words.Contains("--case")) return Fail(out problem, path, "its arguments must not hold --case");
            return words;
        }
        catch (JsonException e)
        {
            return Fail(out problem, path, $"it is not valid JSON ({e.Message})");
        }
    }

    private static IReadOnlyList<string>? Fail(out string problem, string path, string why)
    {
        problem = $"case file {path}: {why}.";
        return null;
    }

    /// <summary>Splits a command line the way a POSIX shell does for what raft-sim prints: words apart at spaces, double quotes group.</summary>
    public static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var inWord = false;
        foreach (var ch in line)
        {
            if (ch == '"') { quoted = !quoted; inWord = true; }
            else if (ch == ' ' && !quoted)
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else { word.Append(ch); inWord = true; }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }
}
