namespace Pegasus.LocalCluster;

/// <summary>Finds the built server assemblies in the repository, next to the calling tool's (or test's) own build.</summary>
public static class ServerAssemblies
{
    /// <summary>
    /// Finds <c>&lt;repo&gt;/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;project&gt;.dll</c>, preferring the caller's own
    /// configuration (the tools reference the servers so they are built with them), then Release, then Debug.
    /// </summary>
    /// <param name="project">E.g. <c>Pegasus.Meta</c>.</param>
    /// <returns>The assembly's full path.</returns>
    /// <exception cref="FileNotFoundException">It is not built.</exception>
    public static string Locate(string project)
    {
        // Tools and tests run from <repo>/<project>/bin/<configuration>/<tfm>/.
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = own.Name;
        string[] configurations = [own.Parent?.Name ?? "Release", "Release", "Debug"];
        for (var directory = own.Parent; directory is not null; directory = directory.Parent)
        {
            foreach (var configuration in configurations)
            {
                var candidate = Path.Combine(directory.FullName, project, "bin", configuration, framework, project + ".dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"{project}.dll is not built; run `dotnet build -c Release {project}` in the repository first.");
    }
}
