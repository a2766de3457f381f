return Raft.Simulation.Cli.GcBudget.RunWithBudget(args) ?? Raft.Simulation.Cli.RaftSimCli.Run(args);
