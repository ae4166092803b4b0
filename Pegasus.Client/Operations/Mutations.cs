using Pegasus.Protocol.Data;

namespace Pegasus.Client;

/// <summary>
/// The writes of one <see cref="PegasusTable.CheckAndMutateAsync"/>, applied in order and atomically when the
/// check passes; all within the call's hash key. A builder: <c>new Mutations().Set(a, v).Delete(b)</c>.
/// </summary>
public sealed class Mutations
{
    private readonly List<Mutation> _items = [];

    /// <summary>Gets how many writes were added.</summary>
    public int Count => _items.Count;

    internal IReadOnlyList<Mutation> Items => _items;

    /// <summary>Adds a write of <paramref name="value"/> at <paramref name="sortKey"/>.</summary>
    /// <param name="sortKey">The sort key to write.</param>
    /// <param name="value">The value.</param>
    /// <param name="ttlSeconds">The record's TTL in seconds; 0 for none.</param>
    /// <returns>This instance, to chain calls.</returns>
    public Mutations Set(byte[] sortKey, byte[] value, int ttlSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(sortKey);
        ArgumentNullException.ThrowIfNull(value);
        _items.Add(new Mutation(MutateOperation.Put, sortKey, value, ttlSeconds));
        return this;
    }

    /// <summary>Adds a delete of <paramref name="sortKey"/>.</summary>
    /// <param name="sortKey">The sort key to delete.</param>
    /// <returns>This instance, to chain calls.</returns>
    public Mutations Delete(byte[] sortKey)
    {
        ArgumentNullException.ThrowIfNull(sortKey);
        _items.Add(new Mutation(MutateOperation.Delete, sortKey, null, 0));
        return this;
    }

    internal readonly record struct Mutation(MutateOperation Operation, byte[] SortKey, byte[]? Value, int TtlSeconds);
}
