namespace Pegasus.Tests.Aspire;

// The parts of the meta admin API's JSON (camelCase) these tests read.

internal sealed record ClusterInfoJson(bool IsLeader, string? LeaderGrpcAddress, string? LeaderHttpAddress, string StateStore);

internal sealed record NodeInfoJson(string Address, bool Alive);

internal sealed record TableInfoJson(string Name, int AppId, int PartitionCount, int ReplicaCount);

internal sealed record AdminErrorJson(string Error, string? Message, string? Leader);
