using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper.Operations;

/// <summary>
/// One request on its way to the server: how to write its body and how to read its reply.
/// Completed exactly once, by the receive loop (reply) or by connection teardown (failure).
/// </summary>
internal abstract class PendingRequest(int opCode, string? clientPath)
{
    private Action? _onFinished;
    private int _finished;

    /// <summary>The request type (see <see cref="OpCodes"/>).</summary>
    public int OpCode { get; } = opCode;

    /// <summary>The path the request is about, as the caller wrote it, for error messages.</summary>
    public string? ClientPath { get; } = clientPath;

    /// <summary>Writes the request record that follows the request header.</summary>
    public abstract void WriteBody(JuteWriter writer);

    /// <summary>Completes the request from its reply; runs on the receive loop, so it must not block.</summary>
    public abstract void Complete(in ReplyHeader header, ref JuteReader body);

    /// <summary>Fails the request (connection lost, session ended).</summary>
    public abstract void Fail(Exception exception);

    /// <summary>Sets what to run once the request finished either way (releasing its pending slot).</summary>
    public void OnFinished(Action callback) => _onFinished = callback;

    /// <summary>Runs the finish callback once; safe to call more than once.</summary>
    public void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _onFinished?.Invoke();
        }
    }
}

/// <summary>A <see cref="PendingRequest"/> whose reply becomes a <typeparamref name="T"/>.</summary>
internal abstract class PendingRequest<T>(int opCode, string? clientPath) : PendingRequest(opCode, clientPath)
{
    // Continuations run on the thread pool, never inline on the receive loop.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _completion.Task;

    public sealed override void Complete(in ReplyHeader header, ref JuteReader body)
    {
        try
        {
            if (header.Err == 0)
            {
                _completion.TrySetResult(Read(ref body));
            }
            else if (TryReadError((ZooKeeperErrorCode)header.Err, out var fallback))
            {
                _completion.TrySetResult(fallback);
            }
            else
            {
                _completion.TrySetException(ZooKeeperException.Create((ZooKeeperErrorCode)header.Err, ClientPath));
            }
        }
        catch (ZooKeeperException ex)
        {
            // A malformed reply fails this request only; the connection decides separately whether to go on.
            _completion.TrySetException(ex);
        }
        finally
        {
            Finish();
        }
    }

    public sealed override void Fail(Exception exception)
    {
        _completion.TrySetException(exception);
        Finish();
    }

    /// <summary>Reads the successful reply.</summary>
    protected abstract T Read(ref JuteReader body);

    /// <summary>Turns an error code that is an expected outcome (exists on a missing node) into a result.</summary>
    protected virtual bool TryReadError(ZooKeeperErrorCode code, out T result)
    {
        result = default!;
        return false;
    }
}

/// <summary>Shared pieces of request records.</summary>
internal static class RequestRecords
{
    private const int AllPermissions = 31;

    /// <summary>Writes the ACL list <c>[world:anyone, all permissions]</c> (ZooDefs.Ids.OPEN_ACL_UNSAFE).</summary>
    public static void WriteOpenAcl(JuteWriter writer)
    {
        writer.WriteInt32(1);
        writer.WriteInt32(AllPermissions);
        writer.WriteString("world");
        writer.WriteString("anyone");
    }
}
