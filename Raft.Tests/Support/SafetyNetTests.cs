using Raft.Core;

namespace Raft.Tests.Support;

/// <summary>
/// The test helpers fail fast under a broken core: a loop that would run away reaches its bound
/// and fails the test with a message, and an exception on a test's background thread fails that
/// test instead of ending the test host.
/// </summary>
public sealed class SafetyNetTests
{
    [Test]
    public void Ticking_a_leader_towards_its_election_timeout_fails_at_once_instead_of_ticking_int_max_times()
    {
        var cluster = new TestCluster(3);
        cluster.Elect(1);
        Assume.That(cluster[1].Role, Is.EqualTo(Role.Leader));

        var failure = Assert.Throws<AssertionException>(() => cluster.TickUntilJustBeforeElection(1));

        Assert.That(failure!.Message, Does.Contain("n1 leads in term 1"));
    }

    [Test]
    public void A_tick_count_beyond_the_bound_fails_with_the_call_that_asked_for_it()
    {
        var cluster = new TestCluster(3);

        var failure = Assert.Throws<AssertionException>(() => cluster.Tick(1, int.MaxValue - 1));

        Assert.That(failure!.Message, Does.Contain($"Tick(n1, {int.MaxValue - 1})").And.Contain("outside [0, 100000]"));
        Assert.That(cluster.EffectLog[TestCluster.N(1)], Is.Empty, "not one tick was taken");
    }

    [Test]
    public void A_test_loop_without_an_end_reaches_the_step_bound_and_fails_with_a_message()
    {
        var cluster = new TestCluster(3);

        var failure = Assert.Throws<AssertionException>(() =>
        {
            while (true) cluster.TickAll(10); // a deliberately unbounded loop
        });

        Assert.That(failure!.Message, Does.Contain($"more than {TestCluster.MaxSteps} steps"));
    }

    [Test]
    public void An_exception_on_a_background_thread_fails_its_test_and_leaves_the_host_running()
    {
        var work = BackgroundWork.Start("thrower", () => throw new InvalidOperationException("broken on purpose"));

        var failure = Assert.Throws<AssertionException>(() => work.Join(TimeSpan.FromSeconds(10)));

        Assert.That(failure!.Message, Does.Contain("background work 'thrower' threw InvalidOperationException: broken on purpose"));
    }

    [Test]
    public void Background_work_that_runs_over_its_patience_fails_its_test()
    {
        using var release = new ManualResetEventSlim();
        var work = BackgroundWork.Start("sleeper", () => release.Wait(TimeSpan.FromSeconds(30)));

        var failure = Assert.Throws<AssertionException>(() => work.Join(TimeSpan.FromMilliseconds(100)));

        Assert.That(failure!.Message, Does.Contain("background work 'sleeper' still running after 0.1s"));
        release.Set();
        work.Join(TimeSpan.FromSeconds(10));
    }
}
