namespace Pegasus.Chaos.Nemesis;

/// <summary>
/// Something the nemesis did or saw, at a time of the run's clock: <c>kill</c>, <c>restart</c>, <c>pause</c>,
/// <c>resume</c>, <c>isolate</c>, <c>heal</c>, <c>meta-kill</c>, <c>meta-restart</c>, <c>crash-all</c>,
/// <c>restart-all</c>, <c>primary-change</c> (a partition's primary moved off the faulty server), <c>heal-all</c>,
/// <c>skip</c>.
/// </summary>
/// <param name="Time">Nanoseconds since the run started (the history's clock).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Target">The server it concerns (<c>replica-1 (http://127.0.0.1:23456)</c>, <c>meta</c>, <c>all</c>), if any.</param>
/// <param name="Detail">More, for people.</param>
/// <param name="Partitions">
/// For a fault on a replica server: the partitions whose primary it held when the fault began (null: unknown, the meta
/// server did not answer); for a primary change: the partition.
/// </param>
/// <param name="Address">The advertised address of the replica server concerned (a primary change: the old primary), if any.</param>
public sealed record NemesisEvent(long Time, string Kind, string? Target, string? Detail, IReadOnlyList<int>? Partitions, string? Address = null);
