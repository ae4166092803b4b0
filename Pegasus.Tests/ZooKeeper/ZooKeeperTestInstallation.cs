namespace Pegasus.Tests.ZooKeeper;

/// <summary>
/// Finds a local ZooKeeper server to launch: a <c>java</c> executable and the server's classpath.
/// </summary>
/// <remarks>
/// Lookup order for the classpath: <c>PEGASUS_ZOOKEEPER_CLASSPATH</c>; Debian's
/// <c>/usr/share/java/zookeeper.jar</c> (its manifest pulls in the dependencies; slf4j-simple is
/// added when present so the server's log lands in the test's log file); <c>$ZOOKEEPER_HOME/lib/*.jar</c>
/// of a tarball install. Java: <c>$JAVA_HOME/bin/java</c>, else <c>java</c> on the PATH.
/// </remarks>
public sealed record ZooKeeperTestInstallation(string JavaPath, string Classpath)
{
    /// <summary>Set to 1 (as CI does) to make a missing ZooKeeper fail tests instead of skipping them.</summary>
    public const string RequireVariable = "PEGASUS_REQUIRE_ZOOKEEPER";

    /// <summary>Overrides the server classpath (entries separated by ':').</summary>
    public const string ClasspathVariable = "PEGASUS_ZOOKEEPER_CLASSPATH";

    private const string DebianJar = "/usr/share/java/zookeeper.jar";
    private const string DebianSlf4jSimple = "/usr/share/java/slf4j-simple.jar";

    private static readonly Lazy<(ZooKeeperTestInstallation? Installation, string Reason)> Cached = new(Find);

    /// <summary>The installation, or null with the reason it was not found.</summary>
    public static ZooKeeperTestInstallation? TryFind(out string reason)
    {
        (var installation, reason) = Cached.Value;
        return installation;
    }

    /// <summary>
    /// Returns the installation; without one, fails the test when <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c> and skips it otherwise.
    /// </summary>
    public static ZooKeeperTestInstallation Require()
    {
        var installation = TryFind(out var reason);
        if (installation is not null)
        {
            return installation;
        }

        FailOrSkip(reason);
        throw new InvalidOperationException(reason); // FailOrSkip always throws.
    }

    /// <summary>Fails (with <c>PEGASUS_REQUIRE_ZOOKEEPER=1</c>) or skips the current test.</summary>
    public static void FailOrSkip(string reason)
    {
        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but ZooKeeper cannot be started: {reason}");
        }

        Assert.Skip($"ZooKeeper is not available ({reason}); install Debian's 'zookeeper' package or set {ClasspathVariable}.");
    }

    private static (ZooKeeperTestInstallation?, string) Find()
    {
        var java = FindJava();
        if (java is null)
        {
            return (null, "no java executable (JAVA_HOME or PATH)");
        }

        var classpath = Environment.GetEnvironmentVariable(ClasspathVariable);
        if (!string.IsNullOrWhiteSpace(classpath))
        {
            return (new ZooKeeperTestInstallation(java, classpath), string.Empty);
        }

        if (File.Exists(DebianJar))
        {
            var entries = new List<string> { DebianJar };
            if (File.Exists(DebianSlf4jSimple))
            {
                entries.Add(DebianSlf4jSimple);
            }

            return (new ZooKeeperTestInstallation(java, string.Join(':', entries)), string.Empty);
        }

        var home = Environment.GetEnvironmentVariable("ZOOKEEPER_HOME");
        if (!string.IsNullOrEmpty(home) && Directory.Exists(Path.Combine(home, "lib")))
        {
            var jars = Directory.GetFiles(Path.Combine(home, "lib"), "*.jar");
            if (jars.Any(j => Path.GetFileName(j).StartsWith("zookeeper-", StringComparison.Ordinal)))
            {
                return (new ZooKeeperTestInstallation(java, string.Join(':', jars)), string.Empty);
            }
        }

        return (null, $"no {DebianJar}, no {ClasspathVariable} and no ZOOKEEPER_HOME/lib");
    }

    private static string? FindJava()
    {
        var javaHome = Environment.GetEnvironmentVariable("JAVA_HOME");
        if (!string.IsNullOrEmpty(javaHome) && File.Exists(Path.Combine(javaHome, "bin", "java")))
        {
            return Path.Combine(javaHome, "bin", "java");
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "java");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
