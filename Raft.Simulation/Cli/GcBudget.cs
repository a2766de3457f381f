using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Raft.Simulation.Cli;

/// <summary>
/// Gives the long commands (explore, bench) a 16 MB gen0 budget. Each run allocates a few
/// megabytes and keeps little, so what limits parallel explore is how often a gen0 collection
/// stops every job at once; with the default budget two jobs reached 1.55x one job on 2 cores,
/// with this one 1.9x, and one job is 10% faster too (docs/performance.md, "Parallel explore").
/// The runtime reads this budget only from the environment variable <c>DOTNET_GCgen0size</c>
/// (a runtimeconfig property of that name, or <c>System.GC.Gen0Size</c>, was tried and has no
/// effect), so when it is unset the command runs itself again as a child process with it set,
/// and passes on the child's exit code. The GC never changes a result: every run is
/// single-threaded and deterministic whatever the budget. Set <c>RAFT_SIM_GC_BUDGET=off</c> to
/// run in this process with the runtime's default.
/// </summary>
public static class GcBudget
{
    public const string Variable = "DOTNET_GCgen0size";
    public const string Budget = "0x1000000";
    public const string OptOut = "RAFT_SIM_GC_BUDGET";

    /// <summary>Whether <paramref name="args"/> name a command that runs many seeds and gains from the budget.</summary>
    public static bool Wants(string[] args) =>
        args.Length > 0 && args[0] is "explore" or "bench" && !args.Any(a => a is "-h" or "--help" or "-?");

    /// <summary>
    /// Runs the command again with the budget set and returns its exit code, or null when this
    /// process should run it itself: the budget is already set, opted out of, not wanted, or the
    /// child could not be started.
    /// </summary>
    public static int? RunWithBudget(string[] args)
    {
        if (!Wants(args)) return null;
        if (Environment.GetEnvironmentVariable(Variable) is not null) return null;
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
        start.Environment[Variable] = Budget;
        // Signals are taken over before the child starts, so that none lands in between.
        Process? child = null;
        using var forwarding = ForwardSignals(() => child);
        try
        {
            child = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // could not start it: run here, with the default budget
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
