using System.Collections.Concurrent;
using Pegasus.Protocol.Replication;
using Pegasus.Replica.Replication;

namespace Pegasus.Tests.Replica;

/// <summary>A replica whose configuration the test sets; records the prepares it sends and the members it reports.</summary>
/// <param name="self">The replica's own address.</param>
internal sealed class RecordingReplicationHost(string self) : IReplicationHost
{
    public PartitionConfig Config { get; set; } = null!;

    public string Self => self;

    public ConcurrentQueue<(string Target, PrepareMessage Message)> Sent { get; } = new();

    public ConcurrentQueue<string> Reported { get; } = new();

    public void SendPrepare(string target, PrepareMessage message) => Sent.Enqueue((target, message));

    public void ReportUnresponsive(string node, long ballot, string reason) => Reported.Enqueue($"{node}@{ballot}: {reason}");

    public void AdoptBallot(long ballot, string primary) => throw new InvalidOperationException($"the test sets the configuration; a prepare of ballot {ballot} came");
}
