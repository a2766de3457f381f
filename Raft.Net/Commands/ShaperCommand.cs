using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Raft.Net.Shaping;
using Raft.Simulation.Cli;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net shaper</c> (hidden): the <see cref="PacketShaper"/> of one network namespace, started
/// there by <see cref="Cluster.KernelNetwork"/> with <c>ip netns exec</c>. It prints
/// <see cref="ReadyLine"/> once it holds the queue, a <see cref="ShaperCounters"/> line every second,
/// and a last one when it stops: when its standard input closes (its parent is done or dead) or on SIGTERM.
/// Exit codes: 0 stopped, 1 the queue could not be opened or failed, 2 bad arguments.
/// </summary>
public static class ShaperCommand
{
    /// <summary>What the shaper prints once the kernel hands it packets.</summary>
    public const string ReadyLine = "shaper-ready";

    public static Command Create()
    {
        var queue = new Option<int>("--queue") { Description = "The netfilter queue number the NFQUEUE rule sends packets to." };
        queue.Require(n => n is >= 0 and <= ushort.MaxValue, "--queue must be between 0 and 65535.");
        var delay = new Option<string>("--delay") { Description = "How long each packet is held, e.g. 20ms.", DefaultValueFactory = _ => "0ms" };
        var jitter = new Option<string>("--jitter") { Description = "Each delay is drawn uniformly within delay ± jitter, e.g. 10ms.", DefaultValueFactory = _ => "0ms" };
        foreach (var option in new[] { delay, jitter })
            option.Require(text => ParseMillis(text) is not null, $"{option.Name} must be a duration in milliseconds like 20ms.");
        var duplicate = new Option<double>("--duplicate") { HelpName = "P", Description = "The probability that a packet is sent twice." };
        var reorder = new Option<double>("--reorder") { HelpName = "P", Description = "The probability that a packet goes at once, ahead of those held." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the delays, duplicates and reorderings.", DefaultValueFactory = _ => 1 };
        var command = new Command("shaper", "Delay, duplicate and reorder the packets an iptables NFQUEUE rule sends to a queue (used by cluster --net kernel).")
        {
            queue, delay, jitter, duplicate, reorder, seed,
        };
        command.Hidden = true;
        command.Validators.Add(r =>
        {
            if (!r.TryGetValue(delay, out var d) || !r.TryGetValue(jitter, out var j) || !r.TryGetValue(duplicate, out var p) || !r.TryGetValue(reorder, out var q)) return;
            if (ParseMillis(d) is not { } delayMillis || ParseMillis(j) is not { } jitterMillis) return;
            var shaping = new PacketShaping { Delay = TimeSpan.FromMilliseconds(delayMillis), Jitter = TimeSpan.FromMilliseconds(jitterMillis), Duplicate = p, Reorder = q };
            if (shaping.Problem() is { } problem) r.AddError(problem);
        });
        command.SetAction(parse =>
        {
            var shaping = new PacketShaping
            {
                Delay = TimeSpan.FromMilliseconds(ParseMillis(parse.GetValue(delay)!)!.Value),
                Jitter = TimeSpan.FromMilliseconds(ParseMillis(parse.GetValue(jitter)!)!.Value),
                Duplicate = parse.GetValue(duplicate),
                Reorder = parse.GetValue(reorder),
            };
            return Run((ushort)parse.GetValue(queue), shaping, parse.GetValue(seed));
        });
        return command;
    }

    private static int Run(ushort queueNumber, PacketShaping shaping, ulong seed)
    {
        var stopping = 0;
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Volatile.Write(ref stopping, 1);
        });
        PacketShaper shaper;
        try
        {
            shaper = new PacketShaper(queueNumber, shaping, new Random((int)(seed % int.MaxValue)));
        }
        catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"raft-net shaper: {e.Message}");
            return 1;
        }
        using (shaper)
        {
            // The parent closes our standard input to stop us; so does its death.
            var watcher = new Thread(() =>
            {
                while (Console.In.ReadLine() is not null) { }
                Volatile.Write(ref stopping, 1);
            }) { IsBackground = true, Name = "stdin-watch" };
            watcher.Start();
            Console.Out.WriteLine($"{ReadyLine} queue={queueNumber} {shaping}");
            Console.Out.Flush();
            try
            {
                shaper.Run(() => Volatile.Read(ref stopping) == 1, counters =>
                {
                    Console.Out.WriteLine(counters.ToLine());
                    Console.Out.Flush();
                }, TimeSpan.FromSeconds(1));
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"raft-net shaper: {e.Message}");
                return 1;
            }
            if (shaper.Overruns > 0) Console.Error.WriteLine($"raft-net shaper: the queue's socket overflowed {shaper.Overruns} times");
        }
        return 0;
    }

    /// <summary>Milliseconds from text like 20ms or 0ms; null otherwise.</summary>
    public static double? ParseMillis(string text) =>
        text.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(text[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0 && double.IsFinite(ms) ? ms : null;
}
