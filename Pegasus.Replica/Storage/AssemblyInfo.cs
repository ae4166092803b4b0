using System.Runtime.CompilerServices;

// The storage unit tests exercise the Pegasus-compatible parsers and conditions directly.
[assembly: InternalsVisibleTo("Pegasus.Tests")]
