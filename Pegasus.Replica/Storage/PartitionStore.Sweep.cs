namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>
    /// Deletes expired records, examining at most <paramref name="maxRecords"/> records from
    /// where the previous call stopped; after the last record the next call starts over. Must
    /// be called by the single writer (between writes), so a record cannot be rewritten between
    /// being found expired and being deleted. Returns how many records were removed.
    /// </summary>
    /// <remarks>
    /// The deletions carry no decree: expired records are invisible to every read already, so
    /// each replica may drop them on its own schedule without changing what clients observe.
    /// </remarks>
    public int SweepExpired(int maxRecords)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        ObjectDisposedException.ThrowIf(!_gate.TryEnter(), this);
        try
        {
            var now = Now();
            var examined = 0;
            var removed = 0;
            using var readOptions = new OwnedReadOptions();

            // A sweep touches cold data; keep it out of the block cache.
            readOptions.SetFillCache(false);
            using var iterator = _db.NewIterator(_dataCf, readOptions);
            if (_sweepCursor is null)
            {
                iterator.SeekToFirst();
            }
            else
            {
                iterator.Seek(_sweepCursor);
            }

            while (examined < maxRecords && iterator.Valid())
            {
                examined++;
                if (StoredValue.IsExpired(iterator.GetValueSpan(), now))
                {
                    _writeBatch.Delete(iterator.GetKeySpan(), _dataCf);
                    removed++;
                }

                iterator.Next();
            }

            ThrowIfIteratorFailed(iterator);

            // Resume at the first record not examined; wrap around after the last one.
            _sweepCursor = iterator.Valid() ? iterator.Key() : null;
            if (removed > 0)
            {
                _db.Write(_writeBatch, _writeOptions);
            }

            LogDebugSwept(_logger, AppId, PartitionIndex, examined, removed);
            return removed;
        }
        finally
        {
            _writeBatch.Clear();
            _gate.Exit();
        }
    }
}
