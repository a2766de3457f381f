namespace Raft.Tests.Scenarios;

/// <summary>Finds the repository's scenarios/ folder by walking up from the test binaries.</summary>
public static class ScenarioFiles
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "scenarios");
                if (Directory.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "Raft.Core"))) return candidate;
            }
            throw new DirectoryNotFoundException("no scenarios/ folder above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Every scenario file, as a path relative to scenarios/, in a stable order.</summary>
    public static IEnumerable<string> All() =>
        Directory.GetFiles(Root, "*.scn", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f))
            .Order(StringComparer.Ordinal);

    public static string PathOf(string relative) => Path.Combine(Root, relative);
}
