using Pegasus.Client;
using Pegasus.Protocol.Data;
using static Pegasus.Tests.Cluster.ClusterTestHelpers;

namespace Pegasus.Tests.Cluster;

/// <summary>Records with a TTL disappear from every read path once they expire; records without one stay.</summary>
[Collection(PegasusClusterCollection.Name)]
public sealed class TtlExpiryTests(PegasusClusterFixture fixture)
{
    // Long enough that writing and reading back every record fits, on a loaded machine, in the
    // TTL - 1 s during which the records must still be there.
    private const int ShortTtlSeconds = 5;

    [Fact]
    public async Task ExpiredRecords_DisappearFromGetExistMultiGetBatchGetAndScans()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("ttl_expiry", partitionCount: 4);
        var hashKeys = PegasusTestCluster.ProbeKeys(table.PartitionCount, "ttl-");

        // In every partition: a single set and a multi-set with a short TTL, and a record without one.
        var firstWrite = DateTimeOffset.UtcNow;
        foreach (var hashKey in hashKeys)
        {
            await table.SetAsync(hashKey, B("single"), B("short"), ttlSeconds: ShortTtlSeconds, cancellationToken: ct);
            await table.MultiSetAsync(hashKey, [(B("multi1"), B("short")), (B("multi2"), B("short"))], ttlSeconds: ShortTtlSeconds, cancellationToken: ct);
            await table.SetAsync(hashKey, B("stays"), B("forever"), cancellationToken: ct);
        }

        var scannedBeforeExpiry = (await ScanAllAsync(table)).Count;
        var singleExisted = await table.ExistAsync(hashKeys[0], B("single"), cancellationToken: ct);
        var multiTtl = await table.TtlAsync(hashKeys[0], B("multi1"), cancellationToken: ct);

        // Expire times are whole seconds (written at second s, a record expires at s + TTL), so a
        // record may be gone TTL - 1 s after it was written: only reads answered before then must
        // still see it. A machine too slow for that still checks the expiry below.
        if (DateTimeOffset.UtcNow < firstWrite + TimeSpan.FromSeconds(ShortTtlSeconds - 1))
        {
            Assert.Equal(4 * hashKeys.Length, scannedBeforeExpiry);
            Assert.True(singleExisted);
            Assert.InRange(multiTtl ?? 0, 1, ShortTtlSeconds);
        }
        else
        {
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"Writing and reading back took {DateTimeOffset.UtcNow - firstWrite}, past the {ShortTtlSeconds - 1} s in which a {ShortTtlSeconds} s TTL record must still be there; only its expiry is checked.");
        }

        await EventuallyAsync(
            async () =>
            {
                foreach (var hashKey in hashKeys)
                {
                    if (await table.ExistAsync(hashKey, B("single"), cancellationToken: ct)
                        || await table.ExistAsync(hashKey, B("multi1"), cancellationToken: ct)
                        || await table.ExistAsync(hashKey, B("multi2"), cancellationToken: ct))
                    {
                        return false;
                    }
                }

                return true;
            },
            () => "every record with a TTL to expire");

        foreach (var hashKey in hashKeys)
        {
            Assert.Null(await table.GetAsync(hashKey, B("single"), cancellationToken: ct));
            Assert.Null(await table.TtlAsync(hashKey, B("multi1"), cancellationToken: ct));
            var records = await table.MultiGetAsync(hashKey, cancellationToken: ct);
            Assert.Equal(["stays"], SortKeys(records));
            var listed = await table.MultiGetAsync(hashKey, [B("single"), B("multi1"), B("multi2"), B("stays")], cancellationToken: ct);
            Assert.Equal(["stays"], SortKeys(listed));
            Assert.Equal(1, await table.SortKeyCountAsync(hashKey, cancellationToken: ct));

            await using var scanner = await table.GetScannerAsync(hashKey, [], [], cancellationToken: ct);
            var scanned = new List<string>();
            await foreach (var record in scanner.WithCancellation(ct))
            {
                scanned.Add(S(record.SortKey));
            }

            Assert.Equal(["stays"], scanned);
        }

        var batch = await table.BatchGetAsync(hashKeys.SelectMany(h => new[] { (h, B("single")), (h, B("stays")) }), cancellationToken: ct);
        Assert.Equal(hashKeys.Length, batch.Count(item => item.Found));
        Assert.All(batch.Where(item => item.Found), item => Assert.Equal("stays", S(item.SortKey)));

        var all = await ScanAllAsync(table);
        Assert.Equal(hashKeys.Length, all.Count);
        Assert.All(all, record => Assert.Equal("forever", S(record.Value)));

        // An expired record can be written again.
        await table.SetAsync(hashKeys[0], B("single"), B("again"), cancellationToken: ct);
        Assert.Equal("again", S(await table.GetAsync(hashKeys[0], B("single"), cancellationToken: ct)));
    }

    [Fact]
    public async Task CheckAndSet_ExpiredCheckRecord_CountsAsAbsent()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = await fixture.CreateTableAsync("ttl_cas");
        await table.SetAsync(B("h"), B("lease"), B("holder-1"), ttlSeconds: 1, cancellationToken: ct);
        await EventuallyAsync(async () => await table.TtlAsync(B("h"), B("lease"), cancellationToken: ct) is null, () => "the lease to expire");

        var result = await table.CheckAndSetAsync(
            B("h"), B("lease"), CheckType.ValueNotExist, [], B("lease"), B("holder-2"), new CheckAndSetOptions { ReturnCheckValue = true }, cancellationToken: ct);
        Assert.True(result.SetSucceed);
        Assert.False(result.CheckValueExist);
        Assert.Equal("holder-2", S(await table.GetAsync(B("h"), B("lease"), cancellationToken: ct)));
    }
}
