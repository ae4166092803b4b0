namespace Pegasus.ZooKeeper;

/// <summary>The outcome of one operation of a transaction.</summary>
public abstract record OpResult;

/// <summary>A node was created.</summary>
/// <param name="Path">The created path relative to the chroot (with the counter for sequential nodes).</param>
public sealed record CreateResult(string Path) : OpResult;

/// <summary>A node was deleted.</summary>
public sealed record DeleteResult : OpResult;

/// <summary>A node's data was set.</summary>
/// <param name="Stat">The node's new metadata.</param>
public sealed record SetDataResult(Stat Stat) : OpResult;

/// <summary>A version check passed.</summary>
public sealed record CheckResult : OpResult;

/// <summary>
/// The operation was not applied. In a failed transaction the operation that failed carries its error;
/// the ones before it carry <see cref="ZooKeeperErrorCode.Ok"/> (rolled back) and the ones after it
/// <see cref="ZooKeeperErrorCode.RuntimeInconsistency"/> (not attempted).
/// </summary>
/// <param name="Code">The error code.</param>
public sealed record ErrorResult(ZooKeeperErrorCode Code) : OpResult;

/// <summary>The outcome of a transaction: either every operation was applied, or none was.</summary>
public sealed record MultiResult
{
    /// <summary>Creates the outcome from the per-operation results.</summary>
    public MultiResult(IReadOnlyList<MultiOp> operations, IReadOnlyList<OpResult> results)
    {
        Operations = operations;
        Results = results;
        FailedIndex = -1;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i] is ErrorResult { Code: not ZooKeeperErrorCode.Ok and not ZooKeeperErrorCode.RuntimeInconsistency } error)
            {
                FailedIndex = i;
                FailedCode = error.Code;
                break;
            }
        }
    }

    /// <summary>The operations as submitted.</summary>
    public IReadOnlyList<MultiOp> Operations { get; }

    /// <summary>One result per operation, in order.</summary>
    public IReadOnlyList<OpResult> Results { get; }

    /// <summary>Whether every operation was applied.</summary>
    public bool Succeeded => FailedIndex < 0;

    /// <summary>The index of the operation that failed the transaction, or -1.</summary>
    public int FailedIndex { get; }

    /// <summary>Why the transaction failed (<see cref="ZooKeeperErrorCode.Ok"/> when it succeeded).</summary>
    public ZooKeeperErrorCode FailedCode { get; }

    /// <summary>The operation that failed the transaction, or null.</summary>
    public MultiOp? FailedOperation => FailedIndex < 0 ? null : Operations[FailedIndex];

    /// <summary>Throws the typed exception for the failed operation (for example <see cref="BadVersionException"/>).</summary>
    public MultiResult EnsureSuccess()
    {
        if (FailedIndex >= 0)
        {
            var op = Operations[FailedIndex];
            throw ZooKeeperException.Create(FailedCode, op.Path,
                $"Transaction failed at operation {FailedIndex} ({op.GetType().Name} {op.Path}): {FailedCode}; nothing was applied.");
        }

        return this;
    }
}
