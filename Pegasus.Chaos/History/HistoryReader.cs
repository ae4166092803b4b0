using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Pegasus.Chaos.History;

/// <summary>
/// Reads JSON Lines histories strictly: exact field names and types, no unknown or repeated fields,
/// and the <see cref="HistoryOperationRules"/>. Blank lines are skipped.
/// </summary>
public static class HistoryReader
{
    /// <summary>Reads every operation of the file at <paramref name="path"/>, in file order.</summary>
    /// <exception cref="HistoryFormatException">A line breaks the format; the message names the line.</exception>
    public static IReadOnlyList<HistoryOperation> ReadAll(string path)
    {
        var operations = new List<HistoryOperation>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                operations.Add(Parse(line, lineNumber));
            }
        }

        return operations;
    }

    /// <summary>Parses one line.</summary>
    /// <param name="line">The JSON object.</param>
    /// <param name="lineNumber">The 1-based line it came from, for the error message.</param>
    /// <exception cref="HistoryFormatException">The line breaks the format.</exception>
    public static HistoryOperation Parse(string line, int? lineNumber = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(line, rented);
            return Parse(rented.AsSpan(0, length), lineNumber);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Parses one line of UTF-8.</summary>
    /// <exception cref="HistoryFormatException">The line breaks the format.</exception>
    public static HistoryOperation Parse(ReadOnlySpan<byte> utf8Line, int? lineNumber = null)
    {
        try
        {
            var fields = HistoryLineFields.Read(utf8Line);
            var operation = fields.ToOperation();
            if (HistoryOperationRules.FindProblem(operation) is { } problem)
            {
                throw new HistoryFormatException(problem, lineNumber);
            }

            return operation;
        }
        catch (HistoryFormatException e) when (e.LineNumber is null && lineNumber is not null)
        {
            throw new HistoryFormatException(e.Problem, lineNumber, e.InnerException);
        }
        catch (JsonException e)
        {
            throw new HistoryFormatException($"not JSON: {e.Message}", lineNumber, e);
        }
    }
}
