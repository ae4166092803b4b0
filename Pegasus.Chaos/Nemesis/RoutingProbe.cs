using Pegasus.Client;

namespace Pegasus.Chaos.Nemesis;

/// <summary>Asks the meta server where a table's primaries are, tolerating a meta server that is down or slow.</summary>
/// <param name="admin">An admin client with a short <see cref="PegasusClientOptions.AdminTimeout"/>.</param>
/// <param name="table">The table.</param>
public sealed class RoutingProbe(PegasusAdminClient admin, string table)
{
    /// <summary>Gets the table's partitions now, or null when the meta server does not answer.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Each partition's configuration, or null.</returns>
    public async Task<IReadOnlyList<PartitionInfo>?> TryGetPartitionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var info = await admin.GetTableAsync(table, cancellationToken).ConfigureAwait(false);
            return info.Partitions;
        }
        catch (Exception ex) when (ex is PegasusException or HttpRequestException or System.Text.Json.JsonException)
        {
            // The meta server is down, restarting or unreachable: the caller goes on without routing.
            return null;
        }
    }

    /// <summary>The partitions whose primary is <paramref name="address"/>.</summary>
    /// <param name="partitions">From <see cref="TryGetPartitionsAsync"/>.</param>
    /// <param name="address">A replica server's advertised address.</param>
    /// <returns>The partition indexes, ascending; null when <paramref name="partitions"/> is null.</returns>
    public static IReadOnlyList<int>? PrimariesOf(IReadOnlyList<PartitionInfo>? partitions, string address)
        => partitions?.Where(p => SameAddress(p.Primary, address)).Select(p => p.PartitionIndex).Order().ToArray();

    /// <summary>Whether two server addresses are the same (ignoring case and a trailing slash).</summary>
    /// <param name="a">One address.</param>
    /// <param name="b">The other.</param>
    /// <returns>True when they name the same server.</returns>
    public static bool SameAddress(string? a, string? b)
        => a is not null && b is not null && string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
