# raft-sim in a container, to run explore shards on many machines (docs/distributed-explore.md).
#   docker build -t raft-sim .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/results:/results" raft-sim \
#       explore --seeds 1000 --shard 0/4 --results /results/shard-0.ndjson

# Build stage: the SDK compiles Raft.Core and Raft.Simulation (nothing else is needed to explore).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so that a change to the code does not download the packages again.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Raft.Core/Raft.Core.csproj Raft.Core/
COPY Raft.Simulation/Raft.Simulation.csproj Raft.Simulation/
RUN dotnet restore Raft.Simulation/Raft.Simulation.csproj
COPY Raft.Core/ Raft.Core/
COPY Raft.Simulation/ Raft.Simulation/
RUN dotnet publish Raft.Simulation/Raft.Simulation.csproj -c Release --no-restore -o /app

# Run stage: the .NET runtime and raft-sim, run as the image's unprivileged user (APP_UID, 1654).
FROM mcr.microsoft.com/dotnet/runtime:10.0
COPY --from=build /app /app
USER $APP_UID
# Results files go to a folder mounted here (a bind mount, a Kubernetes volume).
WORKDIR /results
# A 64 MB gen0 budget: parallel explore scales far better; tiering that starts at once: one job is
# a quarter to a third faster (docs/performance.md, "Parallel explore", "Tiered JIT"). With both set,
# raft-sim runs the command in its own process instead of a child.
ENV DOTNET_GCgen0size=0x4000000 DOTNET_TC_CallCountingDelayMs=0
ENTRYPOINT ["dotnet", "/app/raft-sim.dll"]
CMD ["--help"]
