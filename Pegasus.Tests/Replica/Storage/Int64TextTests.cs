using System.Text;
using Pegasus.Replica.Storage;

namespace Pegasus.Tests.Replica.Storage;

/// <summary>Int64Text must accept exactly what C strtoll(base 0) over the whole buffer accepts.</summary>
public sealed class Int64TextTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("+42", 42)]
    [InlineData("\t\n\v\f\r 42", 42)]
    [InlineData("0x1f", 31)]
    [InlineData("0X1F", 31)]
    [InlineData("-0x10", -16)]
    [InlineData("017", 15)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0x7fffffffffffffff", long.MaxValue)]
    public void TryParse_Accepts(string text, long expected)
    {
        Assert.True(Int64Text.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("42 ")]
    [InlineData("4 2")]
    [InlineData("0x")]
    [InlineData("0xg")]
    [InlineData("08")]
    [InlineData("1e3")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("0x8000000000000000")]
    [InlineData("42\0")]
    public void TryParse_Rejects(string text)
        => Assert.False(Int64Text.TryParse(Encoding.ASCII.GetBytes(text), out _));
}
