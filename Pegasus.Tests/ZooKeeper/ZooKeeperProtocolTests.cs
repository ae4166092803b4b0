using Pegasus.ZooKeeper;
using Pegasus.ZooKeeper.Protocol;
using Pegasus.ZooKeeper.Session;
using Pegasus.ZooKeeper.Watches;

namespace Pegasus.Tests.ZooKeeper;

/// <summary>Unit tests of the wire encoding and parsing helpers (no server needed).</summary>
public sealed class ZooKeeperProtocolTests
{
    [Fact]
    public void JuteWriter_WritesBigEndianLengthPrefixedFrame()
    {
        using var writer = new JuteWriter(4);
        writer.WriteInt32(0x01020304);
        writer.WriteInt64(-2);
        writer.WriteBool(true);
        writer.WriteString("zk");
        writer.WriteString(null);
        writer.WriteBuffer([9, 8]);
        writer.WriteStringVector(["a"]);
        var frame = writer.ToFrame();
        try
        {
            byte[] expected =
            [
                0, 0, 0, 38,
                1, 2, 3, 4,
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                1,
                0, 0, 0, 2, (byte)'z', (byte)'k',
                0xff, 0xff, 0xff, 0xff,
                0, 0, 0, 2, 9, 8,
                0, 0, 0, 1, 0, 0, 0, 1, (byte)'a',
            ];
            Assert.Equal(expected, frame.Memory.ToArray());
        }
        finally
        {
            frame.Release();
        }
    }

    [Fact]
    public void JuteReader_ReadsWhatWriterWrote()
    {
        using var writer = new JuteWriter();
        writer.WriteInt32(-101);
        writer.WriteString("/päth");
        writer.WriteBuffer([]);
        writer.WriteStringVector(["x", "y"]);
        writer.WriteBool(false);
        var frame = writer.ToFrame();
        try
        {
            var reader = new JuteReader(frame.Memory.Span[4..]);
            Assert.Equal(-101, reader.ReadInt32());
            Assert.Equal("/päth", reader.ReadString());
            Assert.Empty(reader.ReadBuffer());
            Assert.Equal(["x", "y"], reader.ReadStringVector());
            Assert.False(reader.ReadBool());
            Assert.Equal(0, reader.Remaining);
        }
        finally
        {
            frame.Release();
        }
    }

    [Fact]
    public void JuteReader_TruncatedOrLyingLength_ThrowsMarshallingError()
    {
        byte[] claimsHugeString = [0x7f, 0xff, 0xff, 0xff, 1, 2];
        byte[] claimsHugeVector = [0x7f, 0xff, 0xff, 0xff];

        Assert.Throws<MarshallingErrorException>(() => new JuteReader(claimsHugeString).ReadString());
        Assert.Throws<MarshallingErrorException>(() => new JuteReader(claimsHugeVector).ReadStringVector());
        Assert.Throws<MarshallingErrorException>(() => new JuteReader([0, 0]).ReadInt32());
    }

    [Theory]
    [InlineData("/", null)]
    [InlineData("/a/b-c_d.e", null)]
    [InlineData("", "empty")]
    [InlineData("a", "start with '/'")]
    [InlineData("/a/", "end with '/'")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/a/./b", "relative")]
    [InlineData("/a/..", "relative")]
    [InlineData("/a\u0001", "invalid character")]
    public void PathValidation_MatchesServerRules(string path, string? error)
    {
        var actual = ZooKeeperPath.GetError(path);

        if (error is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.Contains(error, actual, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SequentialPath_MayEndWithSlash()
    {
        ZooKeeperPath.Validate("/queue/", isSequential: true);
        Assert.Throws<ArgumentException>(() => ZooKeeperPath.Validate("/queue/"));
    }

    [Fact]
    public void Chroot_MapsBothWays()
    {
        Assert.Equal("/app", ZooKeeperPath.ToServer("/app", "/"));
        Assert.Equal("/app/x", ZooKeeperPath.ToServer("/app", "/x"));
        Assert.Equal("/x", ZooKeeperPath.ToServer(null, "/x"));
        Assert.Equal("/", ZooKeeperPath.ToClient("/app", "/app"));
        Assert.Equal("/x/y", ZooKeeperPath.ToClient("/app", "/app/x/y"));
        Assert.Equal("/application", ZooKeeperPath.ToClient("/app", "/application"));
    }

    [Fact]
    public void ConnectionString_ParsesHostsPortsAndChroot()
    {
        var parsed = ConnectionString.Parse("zk1:2182, 127.0.0.1 ,[::1]:2183/pegasus/cluster");

        Assert.Equal(
            [new ServerAddress("zk1", 2182), new ServerAddress("127.0.0.1", 2181), new ServerAddress("::1", 2183)],
            parsed.Servers);
        Assert.Equal("/pegasus/cluster", parsed.Chroot);
        Assert.Null(ConnectionString.Parse("h:1/").Chroot);
        Assert.Equal("[::1]:2183", parsed.Servers[2].ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/chroot-only")]
    [InlineData("host:notaport")]
    [InlineData("host:70000")]
    [InlineData("host:1/bad/")]
    public void ConnectionString_RejectsInvalid(string value)
    {
        Assert.False(ConnectionString.TryParse(value, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Options_ReportEveryProblem()
    {
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = "",
            SessionTimeout = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.Zero,
            MaxPendingRequests = 0,
        };

        var result = new ZooKeeperClientOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(4, result.Failures!.Count());
        Assert.Throws<ArgumentException>(() => new ZooKeeperClient(options));
        Assert.Empty(new ZooKeeperClientOptions { ConnectionString = "127.0.0.1:2181" }.Validate());
    }

    [Fact]
    public void ErrorCodes_MapToTypedExceptions()
    {
        Assert.IsType<NoNodeException>(ZooKeeperException.Create(ZooKeeperErrorCode.NoNode, "/a"));
        Assert.IsType<NodeExistsException>(ZooKeeperException.Create(ZooKeeperErrorCode.NodeExists));
        Assert.IsType<BadVersionException>(ZooKeeperException.Create(ZooKeeperErrorCode.BadVersion));
        Assert.IsType<NotEmptyException>(ZooKeeperException.Create(ZooKeeperErrorCode.NotEmpty));
        Assert.IsType<NoChildrenForEphemeralsException>(ZooKeeperException.Create(ZooKeeperErrorCode.NoChildrenForEphemerals));
        Assert.IsType<SessionExpiredException>(ZooKeeperException.Create(ZooKeeperErrorCode.SessionExpired));
        var loss = Assert.IsType<ConnectionLossException>(ZooKeeperException.Create(ZooKeeperErrorCode.ConnectionLoss));
        var other = ZooKeeperException.Create(ZooKeeperErrorCode.QuotaExceeded, "/q");

        Assert.True(loss.IsTransient);
        Assert.Equal(typeof(ZooKeeperException), other.GetType());
        Assert.Equal(ZooKeeperErrorCode.QuotaExceeded, other.Code);
        Assert.Equal("/q", other.Path);
        Assert.False(other.IsTransient);
    }

    [Fact]
    public void WatchManager_TriggersTheRightTables_Once()
    {
        var watches = new WatchManager();
        var fired = new List<string>();
        Action<WatchedEvent> data = _ => fired.Add("data");
        Action<WatchedEvent> exist = _ => fired.Add("exist");
        Action<WatchedEvent> child = _ => fired.Add("child");
        watches.AddData("/n", data);
        watches.AddData("/n", data);
        watches.AddExist("/m", exist);
        watches.AddChild("/n", child);

        Assert.Equal([data], watches.Trigger(WatchEventType.NodeDataChanged, "/n"));
        Assert.Empty(watches.Trigger(WatchEventType.NodeDataChanged, "/n"));
        Assert.Equal([exist], watches.Trigger(WatchEventType.NodeCreated, "/m"));
        Assert.Equal(["/n"], watches.Snapshot().Child);
        Assert.Equal([child], watches.Trigger(WatchEventType.NodeDeleted, "/n"));
        Assert.True(watches.Snapshot().IsEmpty);
        Assert.Empty(fired);
    }
}
