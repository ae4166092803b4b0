namespace Pegasus.Chaos.History;

/// <summary>A history line that does not follow the JSON Lines history format.</summary>
public sealed class HistoryFormatException : FormatException
{
    public HistoryFormatException(string problem, int? lineNumber = null, Exception? innerException = null)
        : base(lineNumber is { } n ? $"line {n}: {problem}" : problem, innerException)
    {
        Problem = problem;
        LineNumber = lineNumber;
    }

    /// <summary>What is wrong, without the line number.</summary>
    public string Problem { get; }

    /// <summary>The 1-based line in the file, when the line came from one.</summary>
    public int? LineNumber { get; }
}
