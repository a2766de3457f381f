using System.CommandLine;
using System.Globalization;
using NetMQ;
using Raft.Net.Fuzz;

namespace Raft.Net.Commands;

/// <summary>
/// <c>raft-net fuzz</c>: protocol-aware frames (docs/fuzzing.md) thrown at the leader, a follower
/// and a candidate of a live local cluster, in bursts; then the run is checked. Exit code 0: every
/// check passed; 1: one failed; 2: bad arguments.
/// </summary>
public static class FuzzCommand
{
    public static Command Create()
    {
        var frames = new Option<long>("--frames") { Description = "Frames to send in all (the long mode: 1000000).", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the frames and of the nodes' timeouts.", DefaultValueFactory = _ => 1 };
        var burst = new Option<int>("--burst") { Description = "Frames per burst; after each, the cluster must answer a write.", DefaultValueFactory = _ => 4_000 };
        var serveWithin = new Option<string>("--serve-within") { Description = "How long the cluster may take to answer a write after a burst, e.g. 15s.", DefaultValueFactory = _ => "15s" };
        var data = new Option<string?>("--data") { Description = "Keep node data here (default: a temporary directory, deleted on success)." };
        var command = new Command("fuzz",
            "Send protocol-aware adversarial frames to the leader, a follower and a candidate of a live 3-node cluster, then check that no node stopped, " +
            "the cluster serves, replay parity and safety hold and no acknowledged write was lost. Exit code 0: passed; 1: a check failed; 2: bad arguments; 4: no verdict, the command itself failed (out of memory, a bug).")
        {
            frames, seed, burst, serveWithin, data,
        };
        // Read from the tokens: a value that is not a number at all is reported by the parser
        // itself, and reading it as one here would throw instead.
        frames.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && long.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out var n) && n < 1) r.AddError("--frames must be at least 1.");
        });
        burst.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, CultureInfo.InvariantCulture, out var n) && n is < 1 or > 1_000_000)
                r.AddError("--burst must be between 1 and 1000000.");
        });
        serveWithin.Validators.Add(r =>
        {
            if (ClusterCommand.ParseSpan(r.GetValueOrDefault<string>() ?? "") is null) r.AddError("--serve-within: not a duration like 15s");
        });
        command.SetAction(parse =>
        {
            var options = new FuzzRunOptions
            {
                Frames = parse.GetValue(frames),
                Seed = parse.GetValue(seed),
                BurstFrames = parse.GetValue(burst),
                ServeWithin = ClusterCommand.ParseSpan(parse.GetValue(serveWithin)!)!.Value,
                DataRoot = parse.GetValue(data),
            };
            Console.WriteLine($"fuzzing a 3-node cluster on 127.0.0.1 with {options.Frames:N0} frames, seed {options.Seed}, bursts of {options.BurstFrames:N0}");
            var summary = FuzzRun.Execute(options, line => Console.WriteLine("  " + line));
            NetMQConfig.Cleanup(block: false);
            Console.WriteLine();
            Console.Write(summary.Render());
            return summary.Ok ? 0 : 1;
        });
        return command;
    }
}
