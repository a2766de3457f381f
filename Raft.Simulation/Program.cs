return Raft.Simulation.Cli.RaftSimCli.Run(args);
