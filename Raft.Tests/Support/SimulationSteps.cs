namespace Raft.Tests.Support;

/// <summary>
/// Steps a simulation event by event until something happens, within a bound: a simulation always
/// has its next tick scheduled, so a bare <c>while (!done) StepEvent()</c> never ends when the
/// thing waited for never comes (a broken core). This fails the test instead, saying what it waited for.
/// </summary>
public static class SimulationSteps
{
    /// <summary>Virtual time a test waits by default: far more than any unit test's story needs.</summary>
    public const long DefaultLimitMicros = 60_000_000;

    /// <summary>Steps until <paramref name="done"/> holds; fails the test if virtual time passes <paramref name="limitMicros"/> or the events run out first.</summary>
    public static void Until(Raft.Simulation.Simulation simulation, Func<bool> done, string what, long limitMicros = DefaultLimitMicros)
    {
        while (!done())
        {
            if (simulation.Now > limitMicros) Assert.Fail($"{what} did not happen within {limitMicros / 1000} ms of virtual time");
            if (!simulation.StepEvent()) Assert.Fail($"the run ended before {what}");
        }
    }
}
