using Pegasus.Client;
using Pegasus.Protocol;

namespace Pegasus.Tests.Client;

/// <summary>Unreachable servers end in a typed timeout; a cancelled token ends in OperationCanceledException.</summary>
public sealed class ClientFailureTests
{
    private static readonly byte[] Key = "k"u8.ToArray();

    [Fact]
    public async Task OpenTable_MetaUnreachable_TimesOut()
    {
        await using var client = ClientTestSupport.UnreachableClient();

        var error = await Assert.ThrowsAsync<PegasusException>(
            () => client.OpenTableAsync("t", TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.Timeout, error.Error);
        Assert.True(error.IsTransient);
        Assert.Contains("unreachable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_ReplicaUnreachable_RetriesUntilTimeout()
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var table = ClientTestSupport.UnreachableTable(client);

        var error = await Assert.ThrowsAsync<PegasusException>(
            () => table.SetAsync(Key, Key, Key, timeout: TimeSpan.FromMilliseconds(300), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.Timeout, error.Error);
        Assert.Contains("last failure", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.ReplicaConnectionCount);
    }

    [Fact]
    public async Task Get_NoRetriesLeft_FailsWithTransientConnectionError()
    {
        await using var client = new PegasusClient(new PegasusClientOptions
        {
            MetaServers = [ClientTestSupport.UnreachableAddress()],
            MaxRetries = 0,
            DefaultTimeout = TimeSpan.FromSeconds(30),
        });
        var table = ClientTestSupport.UnreachableTable(client);

        var error = await Assert.ThrowsAsync<PegasusException>(() => table.GetAsync(Key, Key, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.Unknown, error.Error);
        Assert.True(error.IsTransient);
        Assert.Contains("1 attempt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_TokenCancelled_ThrowsOperationCanceled()
    {
        await using var client = ClientTestSupport.UnreachableClient(TimeSpan.FromSeconds(30));
        var table = ClientTestSupport.UnreachableTable(client);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.GetAsync(Key, Key, cancellationToken: cancellation.Token));
    }

    [Fact]
    public async Task Get_TokenAlreadyCancelled_ThrowsWithoutSending()
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var table = ClientTestSupport.UnreachableTable(client);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => table.GetAsync(Key, Key, cancellationToken: new CancellationToken(canceled: true)));
        Assert.Equal(0, client.ReplicaConnectionCount);
    }

    [Fact]
    public async Task Admin_Unreachable_TimesOut()
    {
        await using var client = ClientTestSupport.UnreachableClient(TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<PegasusException>(() => client.Admin.ListTablesAsync(TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.Timeout, error.Error);
    }

    [Fact]
    public async Task Admin_EmptyTableName_InvalidParametersWithoutSending()
    {
        await using var client = ClientTestSupport.UnreachableClient();
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(ErrorCode.InvalidParameters, (await Assert.ThrowsAsync<PegasusException>(() => client.Admin.GetTableAsync(" ", ct))).Error);
        Assert.Equal(ErrorCode.InvalidParameters, (await Assert.ThrowsAsync<PegasusException>(() => client.Admin.DropTableAsync("", ct))).Error);
        Assert.Equal(ErrorCode.InvalidParameters, (await Assert.ThrowsAsync<PegasusException>(() => client.Admin.CreateTableAsync("", 4, 3, ct))).Error);
    }
}
