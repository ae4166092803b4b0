using System.Buffers.Binary;
using Pegasus.Protocol.Hashing;

namespace Pegasus.Replica.Storage;

public sealed partial class PartitionStore
{
    /// <summary>
    /// Writes a consistent copy of the store (data and applied decree) into <paramref name="directory"/>, which must
    /// not exist: RocksDB hard-links its immutable files and flushes the memtable, so it is cheap and exact.
    /// </summary>
    /// <param name="directory">The checkpoint's directory.</param>
    public void CreateCheckpoint(string directory)
    {
        ObjectDisposedException.ThrowIf(!_gate.TryEnter(), this);
        try
        {
            using var checkpoint = _db.Checkpoint();
            checkpoint.Save(directory);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// A checksum over every live record (key, expire time and value, in key order) at one applied decree, read from
    /// one snapshot, so replicas at the same decree that hold the same data give the same checksum. Expired records
    /// are left out: replicas drop them on their own schedules.
    /// </summary>
    /// <returns>The decree the checksum is at, the checksum, and the number of records.</returns>
    public StoreChecksum ComputeChecksum()
    {
        ObjectDisposedException.ThrowIf(!_gate.TryEnter(), this);
        try
        {
            using var snapshot = _db.CreateSnapshot();
            using var readOptions = new OwnedReadOptions();
            readOptions.SetSnapshot(snapshot);
            var decreeBytes = _db.Get(LastAppliedDecreeKey, _metaCf, readOptions);
            var decree = decreeBytes is null ? 0 : BinaryPrimitives.ReadInt64BigEndian(decreeBytes);
            var now = Now();
            ulong checksum = 0;
            long records = 0;
            using var iterator = _db.NewIterator(_dataCf, readOptions);
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                var value = iterator.GetValueSpan();
                if (StoredValue.IsExpired(value, now))
                {
                    continue;
                }

                // Order-sensitive combination of per-record hashes: the same records in the same order.
                var recordHash = PegasusCrc64.Compute(iterator.GetKeySpan()) ^ (PegasusCrc64.Compute(value) * 31);
                checksum = (checksum * 1099511628211UL) ^ recordHash;
                records++;
            }

            ThrowIfIteratorFailed(iterator);
            return new StoreChecksum(decree, checksum, records);
        }
        finally
        {
            _gate.Exit();
        }
    }
}

/// <summary>A store's checksum at one applied decree.</summary>
/// <param name="Decree">The applied decree the checksum is at.</param>
/// <param name="Checksum">The checksum of every live record.</param>
/// <param name="Records">How many live records there are.</param>
public readonly record struct StoreChecksum(long Decree, ulong Checksum, long Records);
