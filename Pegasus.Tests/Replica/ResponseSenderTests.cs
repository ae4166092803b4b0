using Google.Protobuf;
using Grpc.Core;
using Pegasus.Protocol;
using Pegasus.Protocol.Data;
using Pegasus.Replica.Grpc;

namespace Pegasus.Tests.Replica;

/// <summary>The response side of the data stream stays below the message limit (<see cref="DataStreamLimits"/>).</summary>
public sealed class ResponseSenderTests
{
    private static async Task<List<ResponseBatch>> SendAllAsync(IReadOnlyList<DataResponse> responses)
    {
        var writer = new RecordingWriter();
        var sender = new ResponseSender(writer);
        foreach (var response in responses)
        {
            sender.BeginRequest();
            sender.Send(response);
        }

        sender.RequestsCompleted();
        await sender.RunAsync(TestContext.Current.CancellationToken);
        Assert.All(writer.Batches, batch => Assert.InRange(batch.CalculateSize(), 1, DataStreamLimits.MaxMessageBytes));
        return writer.Batches;
    }

    private static DataResponse Get(ulong id, ByteString value) => new() { Id = id, AppId = 3, PartitionIndex = 4, Server = "node", Get = new GetResponse { Value = value } };

    [Fact]
    public async Task ResponseTooLargeForOneMessage_IsAnsweredWithInvalidArgument_OthersUnchanged()
    {
        var huge = UnsafeByteOperations.UnsafeWrap(new byte[DataStreamLimits.MaxResponseBytes]);

        var batches = await SendAllAsync([Get(1, ByteString.CopyFromUtf8("a")), Get(2, huge), Get(3, ByteString.CopyFromUtf8("b"))]);

        var responses = batches.SelectMany(b => b.Responses).ToDictionary(r => r.Id);
        Assert.Equal("a", responses[1].Get.Value.ToStringUtf8());
        Assert.Equal("b", responses[3].Get.Value.ToStringUtf8());
        var refused = responses[2];
        Assert.Equal(ErrorCode.InvalidArgument, refused.Error);
        Assert.Equal((3, 4, "node"), (refused.AppId, refused.PartitionIndex, refused.Server));
        Assert.Null(refused.Get);
        Assert.Contains(DataStreamLimits.MaxResponseBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeResponses_AreSpreadOverBatchesBelowTheMessageLimit()
    {
        // 40 responses of 3 MiB each (sharing one buffer), 120 MiB in all: a batch closes once it reaches 1 MiB,
        // so each goes in a message of its own rather than all in one.
        var value = UnsafeByteOperations.UnsafeWrap(new byte[3 << 20]);

        var batches = await SendAllAsync([.. Enumerable.Range(1, 40).Select(i => Get((ulong)i, value))]);

        Assert.Equal(40, batches.Count);
        Assert.Equal(40, batches.Sum(b => b.Responses.Count));
        Assert.All(batches.SelectMany(b => b.Responses), r => Assert.Equal(ErrorCode.Ok, r.Error));
    }

    private sealed class RecordingWriter : IServerStreamWriter<ResponseBatch>
    {
        public List<ResponseBatch> Batches { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ResponseBatch message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(ResponseBatch message, CancellationToken cancellationToken)
        {
            Batches.Add(message);
            return Task.CompletedTask;
        }
    }
}
