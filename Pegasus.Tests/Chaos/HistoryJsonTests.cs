using System.Text;
using Pegasus.Chaos.History;

namespace Pegasus.Tests.Chaos;

public sealed class HistoryJsonTests
{
    [Fact]
    public void Writer_SetOperation_WritesTheExactLine()
    {
        var line = WriteLines([HistorySamples.EveryShape[0]]).Single();
        Assert.Equal("""{"process":0,"key":"hk/sk","op":"set","value":"p0-17","call":1000,"return":1900,"status":"ok"}""", line);
    }

    [Fact]
    public void Writer_CasExpectingAbsent_WritesExplicitNull()
    {
        var line = WriteLines([HistorySamples.EveryShape[5]]).Single();
        Assert.Equal("""{"process":3,"key":"hk/sk","op":"cas","value":"p3-1","expect":null,"call":2400,"return":2500,"status":"ok","result":"true"}""", line);
    }

    [Fact]
    public void Writer_UnknownWithoutReturn_OmitsReturnAndResult()
    {
        var line = WriteLines([HistorySamples.EveryShape[7]]).Single();
        Assert.Equal("""{"process":4,"key":"hk/sk","op":"set","value":"p4-1","call":2800,"status":"unknown","meta":"deadline exceeded"}""", line);
    }

    [Fact]
    public void Writer_Reader_RoundTripEveryShape()
    {
        var lines = WriteLines(HistorySamples.EveryShape);
        Assert.Equal(HistorySamples.EveryShape.Count, lines.Count);
        Assert.Equal(HistorySamples.EveryShape, lines.Select((l, i) => HistoryReader.Parse(l, i + 1)));
    }

    [Fact]
    public async Task Writer_ManyTasks_WritesWholeLines()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pegasus-history-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var writer = new HistoryWriter(path))
            {
                var tasks = Enumerable.Range(0, 8).Select(p => Task.Run(() =>
                {
                    for (var i = 0; i < 200; i++)
                    {
                        writer.Append(new(p, $"k{i % 5}", HistoryOpKind.Set, $"p{p}-{i}", null, null, i * 10, (i * 10) + 5, HistoryStatus.Ok, null));
                    }
                }, TestContext.Current.CancellationToken));
                await Task.WhenAll(tasks);
                Assert.Equal(1600, writer.Count);
            }

            var read = HistoryReader.ReadAll(path);
            Assert.Equal(1600, read.Count);
            Assert.Equal(200, read.Count(o => o.Process == 3));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Writer_MalformedOperation_ThrowsAndKeepsWriting()
    {
        using var stream = new MemoryStream();
        using (var writer = new HistoryWriter(stream, leaveOpen: true))
        {
            Assert.Throws<ArgumentException>(() => writer.Append(HistorySamples.EveryShape[0] with { Value = null }));
            Assert.Throws<ArgumentException>(() => writer.Append(HistorySamples.EveryShape[0] with { Return = null }));
            Assert.Throws<ArgumentException>(() => writer.Append(HistorySamples.EveryShape[4] with { Result = "four" }));
            writer.Append(HistorySamples.EveryShape[0]);
        }

        Assert.Equal(
            """{"process":0,"key":"hk/sk","op":"set","value":"p0-17","call":1000,"return":1900,"status":"ok"}""" + "\n",
            Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void Reader_AbsentOptionalFields_ReadAsNull()
    {
        var cas = HistoryReader.Parse("""{"process":1,"key":"k","op":"cas","value":"v","call":1,"return":2,"status":"ok","result":"true"}""");
        Assert.Null(cas.Expect);
        var get = HistoryReader.Parse("""{"process":1,"key":"k","op":"get","call":1,"return":null,"status":"fail","delta":0}""");
        Assert.Null(get.Return);
        Assert.Null(get.Delta);
    }

    [Theory]
    [InlineData("""{"process":0,"key":"k","op":"set","value":"v","call":1,"return":2,"status":"ok","colour":"red"}""", "unknown field \"colour\"")]
    [InlineData("""{"key":"k","op":"set","value":"v","call":1,"return":2,"status":"ok"}""", "missing process")]
    [InlineData("""{"process":0,"op":"set","value":"v","call":1,"return":2,"status":"ok"}""", "missing key")]
    [InlineData("""{"process":0,"key":"k","op":"set","value":"v","return":2,"status":"ok"}""", "missing call")]
    [InlineData("""{"process":0,"key":"k","op":"set","value":"v","call":1,"return":2}""", "missing status")]
    [InlineData("""{"process":0,"key":"k","op":"set","call":1,"return":2,"status":"ok"}""", "set needs a string value")]
    [InlineData("""{"process":0,"key":"k","op":"set","value":"v","call":1,"status":"ok"}""", "status ok needs return")]
    [InlineData("""{"process":0,"key":"k","op":"set","value":"v","call":3,"return":2,"status":"ok"}""", "return must be >= call")]
    [InlineData("""{"process":0,"key":"k","op":"put","value":"v","call":1,"return":2,"status":"ok"}""", "op must be one of")]
    [InlineData("""{"process":0,"key":"k","op":"get","call":1,"return":2,"status":"done"}""", "status must be one of")]
    [InlineData("""{"process":0,"key":"k","op":"incr","call":1,"return":2,"status":"ok","result":"1"}""", "incr needs an integer delta")]
    [InlineData("""{"process":0,"key":"k","op":"incr","delta":1,"call":1,"return":2,"status":"ok","result":1}""", "result must be a string")]
    [InlineData("""{"process":0,"key":"k","op":"incr","delta":1,"call":1,"return":2,"status":"ok","result":"x"}""", "decimal string")]
    [InlineData("""{"process":0,"key":"k","op":"cas","value":"v","call":1,"return":2,"status":"ok","result":"yes"}""", "cas result")]
    [InlineData("""{"process":0,"key":"k","op":"get","expect":"v","call":1,"return":2,"status":"ok"}""", "only cas carries expect")]
    [InlineData("""{"process":0,"key":"k","op":"get","call":1,"return":2,"status":"fail","result":"v"}""", "result only with status ok")]
    [InlineData("""{"process":0,"key":"k","op":"del","call":1,"return":2,"status":"ok","result":"v"}""", "del has no result")]
    [InlineData("""{"process":0,"process":1,"key":"k","op":"del","call":1,"return":2,"status":"ok"}""", "appears twice")]
    [InlineData("""{"process":0.5,"key":"k","op":"del","call":1,"return":2,"status":"ok"}""", "process must be an int64")]
    [InlineData("""{"process":0,"key":"k","op":"del","call":1,"return":2,"status":"ok"} {}""", "not JSON")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"process":0,"key":"k",""", "not JSON")]
    public void Reader_MalformedLine_RejectedNamingTheLine(string line, string problem)
    {
        var e = Assert.Throws<HistoryFormatException>(() => HistoryReader.Parse(line, 7));
        Assert.Equal(7, e.LineNumber);
        Assert.StartsWith("line 7: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAll_UnknownFieldOnThirdLine_NamesLineThree()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pegasus-history-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllLines(path,
            [
                """{"process":0,"key":"k","op":"del","call":1,"return":2,"status":"ok"}""",
                "",
                """{"process":0,"key":"k","op":"del","call":3,"return":4,"status":"ok","extra":1}""",
            ]);
            var e = Assert.Throws<HistoryFormatException>(() => HistoryReader.ReadAll(path));
            Assert.Equal(3, e.LineNumber);
            Assert.Contains("unknown field \"extra\"", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static List<string> WriteLines(IEnumerable<HistoryOperation> operations)
    {
        using var stream = new MemoryStream();
        using (var writer = new HistoryWriter(stream, leaveOpen: true))
        {
            foreach (var operation in operations)
            {
                writer.Append(operation);
            }
        }

        var text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return [.. text.Split('\n')[..^1]];
    }
}
