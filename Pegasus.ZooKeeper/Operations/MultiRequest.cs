using Pegasus.ZooKeeper.Protocol;

namespace Pegasus.ZooKeeper.Operations;

/// <summary>
/// multi: a list of (MultiHeader, request record) pairs ended by a header with done = true; the reply
/// has the same shape with one result record per operation.
/// </summary>
internal sealed class MultiRequest(IReadOnlyList<MultiOp> operations, IReadOnlyList<string> serverPaths, string? chroot)
    : PendingRequest<MultiResult>(OpCodes.Multi, operations.Count > 0 ? operations[0].Path : null)
{
    private const int Create2 = 15;

    public override void WriteBody(JuteWriter writer)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            WriteHeader(writer, operations[i].OpCode, done: false, err: -1);
            operations[i].Write(writer, serverPaths[i]);
        }

        WriteHeader(writer, -1, done: true, err: -1);
    }

    protected override MultiResult Read(ref JuteReader body)
    {
        var results = new List<OpResult>(operations.Count);
        while (true)
        {
            var type = body.ReadInt32();
            var done = body.ReadBool();
            var err = body.ReadInt32();
            if (done)
            {
                break;
            }

            results.Add(type switch
            {
                OpCodes.Create => new CreateResult(ZooKeeperPath.ToClient(chroot, body.ReadString() ?? string.Empty)),
                Create2 => ReadCreate2(ref body),
                OpCodes.Delete => new DeleteResult(),
                OpCodes.SetData => new SetDataResult(Stat.Read(ref body)),
                OpCodes.Check => new CheckResult(),
                OpCodes.Error => new ErrorResult((ZooKeeperErrorCode)body.ReadInt32()),
                _ => throw new MarshallingErrorException($"Unknown result type {type} (err {err}) in a multi reply."),
            });
        }

        if (results.Count != operations.Count)
        {
            throw new MarshallingErrorException($"A multi reply had {results.Count} results for {operations.Count} operations.");
        }

        return new MultiResult(operations, results);
    }

    private CreateResult ReadCreate2(ref JuteReader body)
    {
        var path = body.ReadString() ?? string.Empty;
        _ = Stat.Read(ref body);
        return new CreateResult(ZooKeeperPath.ToClient(chroot, path));
    }

    private static void WriteHeader(JuteWriter writer, int type, bool done, int err)
    {
        writer.WriteInt32(type);
        writer.WriteBool(done);
        writer.WriteInt32(err);
    }
}
