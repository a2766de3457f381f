Console.WriteLine("raft-sim");
