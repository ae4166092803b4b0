namespace Pegasus.Tests.Replica;

/// <summary>Bounded waits of the in-process replica tests.</summary>
internal static class ReplicaTestWaits
{
    /// <summary>The bound of every wait in these tests.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds, bounded by <see cref="WaitLimit"/>.</summary>
    /// <param name="condition">What must become true.</param>
    /// <returns>A task that completes once the condition holds.</returns>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(WaitLimit);
        while (!condition())
        {
            // Polling interval of a bounded wait.
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }
}
