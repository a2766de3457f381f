namespace Raft.Simulation.Cli;

/// <summary>
/// How a command that raft-sim prints for the user to paste (the replay command of a failing seed,
/// the help hint after a usage error) starts raft-sim, so that it runs exactly as printed: the
/// installed .NET tool when this process is that tool, else <c>dotnet run</c> on the project, which
/// works from the repository root of any checkout without installing anything.
/// </summary>
public static class RaftSimInvocation
{
    /// <summary>Runs raft-sim from the repository root (README, Quick start).</summary>
    public const string FromRepository = "dotnet run --project Raft.Simulation -c Release --";

    /// <summary>The command of the installed tool (<c>dotnet tool install</c>, README).</summary>
    public const string AsTool = "raft-sim";

    /// <summary>The words that start raft-sim in a printed command.</summary>
    public static string Prefix { get; } = IsInstalledTool() ? AsTool : FromRepository;

    /// <summary>Where the printed command must run: " (from the repository root)", or nothing for the tool.</summary>
    public static string Where => Prefix == AsTool ? "" : " (from the repository root)";

    /// <summary>A command line that runs raft-sim with <paramref name="arguments"/>, e.g. <c>replay --seed 7</c>.</summary>
    public static string Command(string arguments) => $"{Prefix} {arguments}";

    // dotnet pack writes DotnetToolSettings.xml next to the tool's assembly; a build never does.
    private static bool IsInstalledTool() => File.Exists(Path.Combine(AppContext.BaseDirectory, "DotnetToolSettings.xml"));
}
