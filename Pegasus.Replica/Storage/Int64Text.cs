namespace Pegasus.Replica.Storage;

/// <summary>
/// Parses an int64 exactly as Pegasus's <c>dsn::buf2int64</c> does (C <c>strtoll</c> with base
/// 0 over the whole buffer): optional leading white space, an optional sign, then decimal,
/// <c>0x</c> hexadecimal or <c>0</c>-prefixed octal digits, and nothing after them; out of
/// range fails. Incr and the integer check types depend on this, so "010" is 8 here just as on
/// a Pegasus server.
/// </summary>
internal static class Int64Text
{
    public static bool TryParse(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var i = 0;
        while (i < text.Length && IsSpace(text[i]))
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && (text[i] == (byte)'+' || text[i] == (byte)'-'))
        {
            negative = text[i] == (byte)'-';
            i++;
        }

        var radix = 10;
        if (i < text.Length && text[i] == (byte)'0')
        {
            // strtoll only takes "0x" as a hex prefix when a hex digit follows; otherwise the
            // "0" is an octal number and the "x" is trailing garbage.
            if (i + 2 < text.Length && (text[i + 1] | 0x20) == 'x' && DigitValue(text[i + 2]) < 16)
            {
                radix = 16;
                i += 2;
            }
            else
            {
                radix = 8;
            }
        }

        // Accumulate the magnitude unsigned so int64.MinValue parses without overflow.
        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        ulong magnitude = 0;
        var digits = 0;
        for (; i < text.Length; i++)
        {
            var digit = DigitValue(text[i]);
            if (digit >= radix)
            {
                break;
            }

            if (magnitude > (limit - (ulong)digit) / (ulong)radix)
            {
                return false;
            }

            magnitude = (magnitude * (ulong)radix) + (ulong)digit;
            digits++;
        }

        if (digits == 0 || i != text.Length)
        {
            return false;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    private static bool IsSpace(byte c) => c == (byte)' ' || (c >= 0x09 && c <= 0x0D);

    private static int DigitValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'Z' => c - 'A' + 10,
        _ => int.MaxValue,
    };
}
