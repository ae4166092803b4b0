using System.Collections.Concurrent;
using System.Text;
using Pegasus.Client;

namespace Pegasus.Tests.MetaZooKeeper;

/// <summary>
/// Clients writing continuously: each worker sets its own keys one after another until stopped or
/// until it has made <c>maxWritesPerWorker</c> attempts, recording every acknowledged write and every
/// failure. The clients are never restarted: whatever happens to the cluster, the same ones keep going.
/// </summary>
internal sealed class WriteLoad : IAsyncDisposable
{
    private readonly PegasusTable _table;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(string Key, string Value)> _acknowledged = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task[] _workers;

    private WriteLoad(PegasusTable table, int workers, int maxWritesPerWorker)
    {
        _table = table;
        _workers = [.. Enumerable.Range(0, workers).Select(worker => Task.Run(() => RunAsync(worker, maxWritesPerWorker)))];
    }

    /// <summary>Gets how many writes were acknowledged so far.</summary>
    public int Acknowledged => _acknowledged.Count;

    /// <summary>Gets how many writes failed so far.</summary>
    public int Failed => _failures.Count;

    /// <summary>Gets every acknowledged write.</summary>
    public IReadOnlyCollection<(string Key, string Value)> AcknowledgedWrites => _acknowledged;

    /// <summary>Gets a few failure messages, for diagnostics.</summary>
    public string FailureSample => string.Join(" | ", _failures.Take(5));

    /// <summary>Starts <paramref name="workers"/> writers on <paramref name="table"/>.</summary>
    public static WriteLoad Start(PegasusTable table, int workers = 3, int maxWritesPerWorker = 30_000) => new(table, workers, maxWritesPerWorker);

    /// <summary>Stops the writers and waits for them.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(int worker, int maxWrites)
    {
        for (var sequence = 0; sequence < maxWrites && !_stop.IsCancellationRequested; sequence++)
        {
            var key = $"load-{worker}-{sequence}";
            var value = $"value-{worker}-{sequence}-{new string('x', 32)}";
            try
            {
                await _table.SetAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("s"), Encoding.UTF8.GetBytes(value), timeout: TimeSpan.FromSeconds(5), cancellationToken: _stop.Token);
                _acknowledged.Enqueue((key, value));

                // A steady pace keeps the number of writes to verify afterwards moderate; not a synchronization.
                await Task.Delay(TimeSpan.FromMilliseconds(2), _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (PegasusException exception)
            {
                // An unacknowledged write may or may not have been applied; only acknowledged ones are checked.
                _failures.Enqueue($"{key}: {exception.Error} {exception.Message}");
                try
                {
                    // Back off a little so a failing cluster is not hammered; a load generator's pace, not a synchronization.
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
