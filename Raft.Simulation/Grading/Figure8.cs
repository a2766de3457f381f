using Raft.Core;
using Raft.Simulation.Network;
using Raft.Simulation.Nodes;
using static Raft.Simulation.Grading.Lab1Election;

namespace Raft.Simulation.Grading;

/// <summary>
/// The Figure 8 story (§5.4.2) from random seeds, in the spirit of MIT 6.5840's Figure 8 tests:
/// 5 servers, one entry per AppendEntries, clients writing. Each time a server becomes leader, the
/// grader takes it out (cuts it off, or crashes it) at once or a little later, so that the entries
/// it just wrote sit on a minority, and brings back a server it took out before. A server that
/// returns holding entries of an old term may win, and then copies them onto a majority one
/// AppendEntries at a time while a server with a newer, competing entry is out: a leader that
/// commits such an entry by counting replicas commits what that server could still overwrite.
/// The simulator's Leader Completeness check (at each commit, no server lacking the entry may be
/// as up to date as a majority) catches it at that moment.
/// <para>
/// The mix varies between seeds, drawn from the seed like a swarm test: how often the grader acts
/// at once, how long it otherwise lets a leader run, which server it brings back, and (with
/// crashes) how often it crashes rather than cuts off. All from the grader's seeded stream.
/// </para>
/// </summary>
internal static class Figure8
{
    private const long Second = 1_000_000;
    private const long Milli = 1_000;
    private const long StoryMicros = 6 * Second;

    /// <summary>One seed of the story. <paramref name="crashes"/>: take servers out by crashing them as well as cutting them off; <paramref name="unreliable"/>: a lossy network that holds some messages for long.</summary>
    public static string? Run(GradeRun run, bool crashes, bool unreliable)
    {
        var random = run.Random;
        var actAtOnce = new[] { 0.3, 0.5, 0.7, 0.9 }[random.Next(4)];
        var maxLeadMicros = new[] { 5 * Milli, 30 * Milli, 150 * Milli, 400 * Milli }[random.Next(4)];
        var oldestBack = random.Next(3) > 0; // else a random one
        var crashShare = crashes ? new[] { 0.5, 0.8, 1.0 }[random.Next(3)] : 0;
        var network = LinkProfile.Reliable;
        if (unreliable)
            network = LinkProfile.Unreliable with { LongDelayRate = new[] { 0.01, 0.03, 0.1 }[random.Next(3)] };
        run.Start(new SimulationOptions
        {
            Nodes = 5, Clients = 3, ReadPercent = 0, DurationMicros = StoryMicros + Second, Network = network,
            Raft = new RaftOptions { MaxEntriesPerAppend = 1 },
        });

        var cutOff = new List<NodeId>(); // out, in the order taken out
        var crashed = new HashSet<NodeId>();
        long actedOnTerm = 0;
        while (run.Now < StoryMicros && !run.Violated)
        {
            NodeId? leader = null;
            bool NewLeader()
            {
                foreach (var n in run.Sim.Nodes.Values)
                    if (n.Status == NodeStatus.Up && !cutOff.Contains(n.Id) && n.Core.Role == Role.Leader && n.Core.Term > actedOnTerm)
                    {
                        leader = n.Id;
                        return true;
                    }
                return false;
            }
            if (!run.RunUntil(Math.Min(StoryMicros, run.Now + 2 * Second), NewLeader))
            {
                if (run.Violated) return null;
                if (cutOff.Count > 0) BringBack(run, cutOff, crashed, cutOff[0]);
                continue;
            }
            var id = leader!.Value;
            actedOnTerm = run.NodeOf(id).Core.Term;
            if (random.NextDouble() >= actAtOnce && !run.RunFor(1 + (long)(random.NextDouble() * maxLeadMicros))) return null;
            if (run.NodeOf(id).Status != NodeStatus.Up || run.NodeOf(id).Core.Role != Role.Leader) continue;
            // Cut off first, so that what it just sent is lost too; a crash alone leaves its messages on the wire.
            run.Isolate(id, " (the new leader)");
            cutOff.Add(id);
            if (random.NextDouble() < crashShare)
            {
                run.Crash(id);
                crashed.Add(id);
            }
            if (cutOff.Count > 2)
                BringBack(run, cutOff, crashed, oldestBack ? cutOff[0] : cutOff[random.Next(cutOff.Count - 1)]);
        }
        if (run.Violated) return null;
        while (cutOff.Count > 0) BringBack(run, cutOff, crashed, cutOff[0]);
        if (run.AwaitLeader(2 * Second) is null) return Failed(run, "no leader within 2 s of bringing every server back");
        run.Finish();
        return run.AwaitSameState(Second);
    }

    private static void BringBack(GradeRun run, List<NodeId> cutOff, HashSet<NodeId> crashed, NodeId id)
    {
        cutOff.Remove(id);
        if (crashed.Remove(id)) run.Restart(id);
        run.Reconnect(id, cutOff);
    }
}
