using Pegasus.Chaos.History;

namespace Pegasus.Chaos.Workload;

/// <summary>
/// Where a run's operations go: the history file (through <see cref="HistoryWriter"/>, a line as each operation ends,
/// so a crashed run still leaves its history) and a list kept for the analysis after the run. Thread-safe.
/// </summary>
public sealed class HistoryRecorder : IDisposable
{
    private readonly HistoryWriter _writer;
    private readonly List<HistoryOperation> _operations = [];
    private readonly int[] _byStatus = new int[3];

    // Guards _operations: every process appends from its own task.
    private readonly Lock _lock = new();

    /// <summary>Initializes a new instance of the <see cref="HistoryRecorder"/> class, creating (or truncating) the file.</summary>
    /// <param name="path">The history file; its directory is created if missing.</param>
    public HistoryRecorder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        _writer = new HistoryWriter(Path);
    }

    /// <summary>Gets the history file's full path.</summary>
    public string Path { get; }

    /// <summary>Records one finished operation.</summary>
    /// <param name="operation">The operation.</param>
    public void Append(HistoryOperation operation)
    {
        _writer.Append(operation);
        lock (_lock)
        {
            _operations.Add(operation);
            _byStatus[(int)operation.Status]++;
        }
    }

    /// <summary>Gets how many operations ended ok, failed and unknown so far (for progress lines).</summary>
    public (int Ok, int Fail, int Unknown) Counts
    {
        get
        {
            lock (_lock)
            {
                return (_byStatus[(int)HistoryStatus.Ok], _byStatus[(int)HistoryStatus.Fail], _byStatus[(int)HistoryStatus.Unknown]);
            }
        }
    }

    /// <summary>Copies the operations recorded so far, in the order they ended.</summary>
    /// <returns>The operations.</returns>
    public IReadOnlyList<HistoryOperation> Snapshot()
    {
        lock (_lock)
        {
            return [.. _operations];
        }
    }

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose() => _writer.Dispose();
}
