using System.Text;

namespace Raft.Simulation.Scenarios;

/// <summary>A plain longest-common-subsequence line diff, printed with ' ', '-' and '+' prefixes.</summary>
public static class LineDiff
{
    public static string Unified(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        // common[i, j] = length of the longest common subsequence of expected[i..] and actual[j..].
        var common = new int[expected.Count + 1, actual.Count + 1];
        for (var i = expected.Count - 1; i >= 0; i--)
            for (var j = actual.Count - 1; j >= 0; j--)
                common[i, j] = expected[i] == actual[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
        var text = new StringBuilder();
        int a = 0, b = 0;
        while (a < expected.Count || b < actual.Count)
        {
            if (a < expected.Count && b < actual.Count && expected[a] == actual[b]) { text.Append(' ').Append(expected[a]).Append('\n'); a++; b++; }
            else if (a < expected.Count && (b == actual.Count || common[a + 1, b] >= common[a, b + 1])) { text.Append('-').Append(expected[a]).Append('\n'); a++; }
            else { text.Append('+').Append(actual[b]).Append('\n'); b++; }
        }
        return text.ToString().TrimEnd('\n');
    }
}
