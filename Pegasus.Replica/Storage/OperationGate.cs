namespace Pegasus.Replica.Storage;

/// <summary>
/// Counts operations in flight on a native resource so that closing it waits for them: a
/// RocksDB call on a closed handle is a native crash, not an exception.
/// </summary>
internal sealed class OperationGate : IDisposable
{
    private readonly ManualResetEventSlim _drained = new(initialState: false);
    private int _inFlight;
    private int _closing;

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Enters unless closing; a true result must be paired with <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        // Increment before reading the flag, and Close sets the flag before reading the count
        // (both full fences), so one of the two always sees the other.
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _closing) != 0)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _closing) != 0)
        {
            _drained.Set();
        }
    }

    /// <summary>Refuses new operations and waits until the ones in flight have left.</summary>
    public void Close()
    {
        Interlocked.Exchange(ref _closing, 1);
        if (Volatile.Read(ref _inFlight) != 0)
        {
            _drained.Wait();
        }
    }

    public void Dispose() => _drained.Dispose();
}
