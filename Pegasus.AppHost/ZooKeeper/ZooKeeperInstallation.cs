namespace Pegasus.AppHost.ZooKeeper;

/// <summary>
/// Where a local ZooKeeper lives: the <c>java</c> to run it with and the class path holding
/// <c>org.apache.zookeeper.server.quorum.QuorumPeerMain</c>.
/// </summary>
/// <param name="JavaPath">Absolute path of the <c>java</c> executable.</param>
/// <param name="ClassPath">The JVM class path (entries separated by <see cref="Path.PathSeparator"/>).</param>
public sealed record ZooKeeperInstallation(string JavaPath, string ClassPath)
{
    /// <summary>Debian's <c>zookeeper</c> package; its jar's manifest names every dependency jar.</summary>
    public const string DebianZooKeeperJar = "/usr/share/java/zookeeper.jar";

    /// <summary>
    /// Debian ships ZooKeeper with only the SLF4J API on its class path, which logs nothing; the
    /// simple binding (same package family) makes the server log to the console we capture.
    /// </summary>
    public const string DebianSlf4jSimpleJar = "/usr/share/java/slf4j-simple.jar";

    /// <summary>
    /// Finds java and ZooKeeper. An explicit <paramref name="classPath"/> wins; else
    /// <paramref name="installPath"/> is taken as an Apache release tarball (<c>conf/</c>, <c>lib/*.jar</c>);
    /// else Debian's package. Returns null with a reason when something is missing.
    /// </summary>
    public static ZooKeeperInstallation? Locate(string? javaPath, string? installPath, string? classPath, out string reason)
    {
        var java = ResolveJava(javaPath);
        if (java is null)
        {
            reason = javaPath is null
                ? "no java on PATH or under JAVA_HOME (set Pegasus:LocalZooKeeper:Java)"
                : $"java '{javaPath}' does not exist";
            return null;
        }

        string resolvedClassPath;
        if (!string.IsNullOrWhiteSpace(classPath))
        {
            resolvedClassPath = classPath;
        }
        else if (!string.IsNullOrWhiteSpace(installPath))
        {
            resolvedClassPath = string.Join(Path.PathSeparator, Path.Combine(installPath, "conf"), Path.Combine(installPath, "lib", "*"));
        }
        else
        {
            resolvedClassPath = File.Exists(DebianSlf4jSimpleJar)
                ? string.Join(Path.PathSeparator, DebianZooKeeperJar, DebianSlf4jSimpleJar)
                : DebianZooKeeperJar;
        }

        if (!ContainsZooKeeper(resolvedClassPath))
        {
            reason = $"no ZooKeeper jar on class path '{resolvedClassPath}' (install Debian's 'zookeeper' package, or set Pegasus:LocalZooKeeper:InstallPath or :ClassPath)";
            return null;
        }

        reason = $"java '{java}', class path '{resolvedClassPath}'";
        return new ZooKeeperInstallation(java, resolvedClassPath);
    }

    private static string? ResolveJava(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        var executable = OperatingSystem.IsWindows() ? "java.exe" : "java";
        if (Environment.GetEnvironmentVariable("JAVA_HOME") is { Length: > 0 } javaHome
            && Path.Combine(javaHome, "bin", executable) is var fromHome
            && File.Exists(fromHome))
        {
            return fromHome;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
    }

    // A class path entry counts when it is a zookeeper*.jar that exists, or a "dir/*" wildcard
    // over a directory holding one; conf directories and other jars are just carried along.
    private static bool ContainsZooKeeper(string classPath) =>
        classPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Any(entry =>
            entry.EndsWith('*')
                ? Directory.Exists(Path.GetDirectoryName(entry))
                    && Directory.EnumerateFiles(Path.GetDirectoryName(entry)!, "zookeeper-*.jar").Any()
                : Path.GetFileName(entry).StartsWith("zookeeper", StringComparison.Ordinal)
                    && entry.EndsWith(".jar", StringComparison.Ordinal)
                    && File.Exists(entry));
}
