using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pegasus.Protocol.Time;
using RocksDbSharp;

namespace Pegasus.Replica.Storage;

/// <summary>
/// Drops expired records while RocksDB compacts (Pegasus's KeyWithTTLCompactionFilter), so TTL
/// data leaves the disk without a read or a delete. The callbacks are static unmanaged entry
/// points that find this object through a GCHandle: nothing the native side calls can be
/// collected while the database runs. Dispose only after the database is closed.
/// </summary>
internal sealed unsafe class ExpiredRecordCompactionFilter : IDisposable
{
    // Returned to RocksDB as the filter's name; lives for the process (a few bytes).
    private static readonly IntPtr Name = Marshal.StringToHGlobalAnsi("pegasus.ExpiredRecordCompactionFilter");

    private readonly TimeProvider _timeProvider;
    private GCHandle _self;

    public ExpiredRecordCompactionFilter(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _self = GCHandle.Alloc(this);
        delegate* unmanaged[Cdecl]<IntPtr, void> destructor = &Destroy;
        delegate* unmanaged[Cdecl]<IntPtr, int, byte*, nuint, byte*, nuint, byte**, nuint*, byte*, byte> filter = &Filter;
        delegate* unmanaged[Cdecl]<IntPtr, IntPtr> name = &GetName;
        Handle = Native.Instance.rocksdb_compactionfilter_create(
            GCHandle.ToIntPtr(_self), (IntPtr)destructor, (IntPtr)filter, (IntPtr)name);
    }

    public IntPtr Handle { get; private set; }

    public void Dispose()
    {
        if (Handle != IntPtr.Zero)
        {
            Native.Instance.rocksdb_compactionfilter_destroy(Handle);
            Handle = IntPtr.Zero;
        }

        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte Filter(IntPtr state, int level, byte* key, nuint keyLength, byte* value, nuint valueLength,
        byte** newValue, nuint* newValueLength, byte* valueChanged)
    {
        *valueChanged = 0;

        // An exception must not cross into native code (it would kill the process): keep the
        // record when anything goes wrong; reads still treat it as expired.
        try
        {
            var filter = (ExpiredRecordCompactionFilter)GCHandle.FromIntPtr(state).Target!;
            var now = PegasusEpoch.SecondsSinceEpoch(filter._timeProvider.GetUtcNow());
            return StoredValue.IsExpired(new ReadOnlySpan<byte>(value, checked((int)valueLength)), now) ? (byte)1 : (byte)0;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static IntPtr GetName(IntPtr state) => Name;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Destroy(IntPtr state)
    {
        // The GCHandle is freed by Dispose, which owns it.
    }
}
