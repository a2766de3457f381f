using System.Collections.Concurrent;
using System.Diagnostics;
using NUnit.Framework.Interfaces;

[assembly: Raft.Tests.Support.TestWatchdog]

namespace Raft.Tests.Support;

/// <summary>
/// The last line of defence against a test that runs away: a loop whose bound was forgotten, a
/// wait on a broken cluster, a broken core that never settles. Every loop in a test has its own,
/// much smaller bound that fails the test with a clear message; this watchdog is for the case
/// where that was missed. .NET cannot abort a thread (NUnit's [Timeout] is obsolete for that
/// reason, and [CancelAfter] only cancels a token the test must watch), so when a test runs past
/// <see cref="TestLimit"/>, or the heap grows past <see cref="HeapLimitBytes"/>, the watchdog names
/// the tests that were running on stderr and ends the test process, rather than letting one test
/// stall the run for hours or take the machine's memory (a test once ticked 2^31 times and grew
/// to 22 GB before the kernel killed it, without saying which test it was).
/// RAFT_TEST_LIMIT_MINUTES and RAFT_TEST_HEAP_LIMIT_GB change the limits.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class TestWatchdogAttribute : Attribute, ITestAction
{
    private static readonly ConcurrentDictionary<string, (string Name, Stopwatch Clock)> Running = new();
    private static readonly Timer Patrol = new(_ => Check(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

    /// <summary>Longest a single test may run: 15 minutes (the slowest, a 300-case property run, takes a few).</summary>
    public static TimeSpan TestLimit { get; } = TimeSpan.FromMinutes(Setting("RAFT_TEST_LIMIT_MINUTES", 15));

    /// <summary>Largest managed heap of the whole test process: 6 GB (the suite needs well under 1 GB).</summary>
    public static long HeapLimitBytes { get; } = (long)(Setting("RAFT_TEST_HEAP_LIMIT_GB", 6) * 1024 * 1024 * 1024);

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        GC.KeepAlive(Patrol);
        Running[test.Id] = (test.FullName, Stopwatch.StartNew());
    }

    public void AfterTest(ITest test) => Running.TryRemove(test.Id, out _);

    private static void Check()
    {
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        var overdue = Running.Values.Where(t => t.Clock.Elapsed > TestLimit).ToList();
        if (heap <= HeapLimitBytes && overdue.Count == 0) return;
        var why = overdue.Count > 0
            ? $"{overdue[0].Name} has run for {overdue[0].Clock.Elapsed.TotalMinutes:0.0} min (limit {TestLimit.TotalMinutes} min)"
            : $"the heap holds {heap / (1024 * 1024)} MB (limit {HeapLimitBytes / (1024 * 1024)} MB)";
        var running = string.Join("\n", Running.Values.Select(t => $"  {t.Name} ({t.Clock.Elapsed.TotalSeconds:0}s)"));
        Console.Error.WriteLine($"TEST WATCHDOG: {why}; ending the test process. Tests running:\n{running}");
        Environment.FailFast($"test watchdog: {why}");
    }

    private static double Setting(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
