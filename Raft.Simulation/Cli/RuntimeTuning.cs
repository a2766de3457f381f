using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Raft.Simulation.Cli;

/// <summary>
/// Runs the long commands (explore, bench) with two runtime settings that the runtime reads only
/// from the environment, by running the command again as a child process with them set and
/// passing on the child's exit code (docs/performance.md, "Parallel explore" and "Tiered JIT"):
/// <list type="bullet">
/// <item><c>DOTNET_GCgen0size=0x4000000</c>, a 64 MB gen0 budget. Each run allocates a few
/// megabytes and keeps little, so what limits parallel explore is how often a gen0 collection
/// stops every job at once; with the default budget two jobs reached 1.55x one job on 2 cores,
/// with 16 MB 1.6-1.8x, with 64 MB 1.7x and 5% more seeds/s than 16 MB (peak RSS 120 MB
/// instead of 73). (A runtimeconfig property of that name, or <c>System.GC.Gen0Size</c>, was
/// tried and has no effect.)</item>
/// <item><c>DOTNET_TC_CallCountingDelayMs=0</c>: tiered compilation starts counting calls at
/// once instead of after 100 ms without new methods, so the hot methods reach their optimized,
/// profile-guided form within the first seeds (one job: 80 against 63 seeds/s with every method
/// compiled fully at first call, the setting before). Not a runtimeconfig property either.</item>
/// </list>
/// A setting the caller has already put in the environment is kept. Neither changes a result:
/// every run is single-threaded and deterministic whatever the GC or the JIT does. Set
/// <c>RAFT_SIM_TUNING=off</c> to run in this process with the runtime's defaults.
/// </summary>
public static class RuntimeTuning
{
    /// <summary>The environment the long commands run with: each variable and its value.</summary>
    public static readonly IReadOnlyList<(string Variable, string Value)> Settings =
    [
        ("DOTNET_GCgen0size", "0x4000000"),
        ("DOTNET_TC_CallCountingDelayMs", "0"),
    ];

    public const string OptOut = "RAFT_SIM_TUNING";

    /// <summary>Whether <paramref name="args"/> name a command that runs many seeds and gains from the settings.</summary>
    public static bool Wants(string[] args) =>
        args.Length > 0 && args[0] is "explore" or "bench" && !args.Any(a => a is "-h" or "--help" or "-?");

    /// <summary>The settings this process is missing.</summary>
    public static IEnumerable<(string Variable, string Value)> Missing() =>
        Settings.Where(s => Environment.GetEnvironmentVariable(s.Variable) is null);

    /// <summary>
    /// Runs the command again with the missing settings and returns its exit code, or null when
    /// this process should run it itself: every setting is already there, they are opted out of,
    /// the command does not want them, or the child could not be started.
    /// </summary>
    public static int? RunTuned(string[] args)
    {
        if (!Wants(args)) return null;
        var missing = Missing().ToList();
        if (missing.Count == 0) return null;
        if (string.Equals(Environment.GetEnvironmentVariable(OptOut), "off", StringComparison.OrdinalIgnoreCase)) return null;
        var host = Environment.ProcessPath;
        if (host is null) return null;

        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet raft-sim.dll` the process is the dotnet host, which needs the assembly again.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            var assembly = Assembly.GetEntryAssembly()?.Location;
            if (string.IsNullOrEmpty(assembly)) return null;
            start.ArgumentList.Add(assembly);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (variable, value) in missing) start.Environment[variable] = value;
        // Signals are taken over before the child starts, so that none lands in between.
        Process? child = null;
        using var forwarding = ForwardSignals(() => child);
        try
        {
            child = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // could not start it: run here, with the runtime's defaults
        }
        if (child is null) return null;
        using (child)
        {
            child.WaitForExit();
            return child.ExitCode;
        }
    }

    /// <summary>
    /// Passes a stop signal sent to this process (Ctrl+C, <c>kill</c>, <c>timeout</c>, a closed
    /// terminal) on to the child, so that it never runs on alone; this process then waits for it.
    /// </summary>
    private static CompositeDisposable ForwardSignals(Func<Process?> child)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Console.CancelKeyPress += (_, e) => e.Cancel = true; // Windows: Ctrl+C reaches the child's console too
            return new CompositeDisposable([]);
        }
        (PosixSignal Signal, int Number)[] signals = [(PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3)];
        return new CompositeDisposable(signals.Select(s => PosixSignalRegistration.Create(s.Signal, context =>
        {
            if (child() is not { } running)
                return; // not started yet: stop as usual
            context.Cancel = true;
            if (!running.HasExited) _ = Kill(running.Id, s.Number);
        })).ToArray());
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private sealed class CompositeDisposable(IDisposable[] parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
