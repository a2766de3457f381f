return Raft.Simulation.Cli.RuntimeTuning.RunTuned(args) ?? Raft.Simulation.Cli.RaftSimCli.Run(args);
