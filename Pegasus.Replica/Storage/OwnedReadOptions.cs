using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Pegasus.Replica.Storage;

/// <summary>
/// RocksDbSharp's <see cref="ReadOptions"/> frees its native handle only in a finalizer, and
/// RocksDB reads iterate bounds straight from native memory for the iterator's whole life.
/// This subclass frees both deterministically, and owns its bound copies so they live exactly
/// as long as the options (dispose the iterator first).
/// </summary>
internal sealed unsafe class OwnedReadOptions : ReadOptions, IDisposable
{
    private byte* _lowerBound;
    private byte* _upperBound;

    /// <summary>Iteration stops before reaching <paramref name="key"/> (exclusive).</summary>
    public OwnedReadOptions WithUpperBound(ReadOnlySpan<byte> key)
    {
        _upperBound = CopyToNative(key, _upperBound);
        SetIterateUpperBound(_upperBound, (ulong)key.Length);
        return this;
    }

    /// <summary>Iteration never goes below <paramref name="key"/> (inclusive).</summary>
    public OwnedReadOptions WithLowerBound(ReadOnlySpan<byte> key)
    {
        _lowerBound = CopyToNative(key, _lowerBound);
        SetIterateLowerBound(_lowerBound, (ulong)key.Length);
        return this;
    }

    public void Dispose()
    {
        if (Handle != IntPtr.Zero)
        {
            Native.Instance.rocksdb_readoptions_destroy(Handle);

            // The base finalizer only acts on a non-zero handle.
            Handle = IntPtr.Zero;
        }

        NativeMemory.Free(_lowerBound);
        NativeMemory.Free(_upperBound);
        _lowerBound = null;
        _upperBound = null;
        GC.SuppressFinalize(this);
    }

    private static byte* CopyToNative(ReadOnlySpan<byte> key, byte* previous)
    {
        NativeMemory.Free(previous);

        // Allocate at least one byte so an empty bound still has a valid address.
        var copy = (byte*)NativeMemory.Alloc((nuint)Math.Max(key.Length, 1));
        key.CopyTo(new Span<byte>(copy, key.Length));
        return copy;
    }
}
