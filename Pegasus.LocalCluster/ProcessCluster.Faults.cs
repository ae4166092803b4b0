namespace Pegasus.LocalCluster;

/// <content>Faults and their undoing: kill, restart, pause, resume, isolate, heal, for one server or all of them.</content>
public sealed partial class ProcessCluster
{
    /// <summary>Kills a replica server (SIGKILL) and waits until it is gone.</summary>
    /// <param name="index">Which one.</param>
    public void KillReplica(int index) => _replicas[index].Process.Kill();

    /// <summary>Starts a replica server again on the same ports and data directory and waits until it is healthy (or alive, while the meta is down).</summary>
    /// <param name="index">Which one.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once it serves.</returns>
    /// <exception cref="InvalidOperationException">It still runs, or did not come up in time.</exception>
    public async Task RestartReplicaAsync(int index, CancellationToken cancellationToken)
    {
        var replica = _replicas[index];
        replica.Process.Launch();
        await WaitForReplicaAsync(replica, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pauses a replica server (SIGSTOP).</summary>
    /// <param name="index">Which one.</param>
    /// <returns>Whether it was running and is now paused.</returns>
    public bool PauseReplica(int index) => _replicas[index].Process.Pause();

    /// <summary>Continues a paused replica server (SIGCONT).</summary>
    /// <param name="index">Which one.</param>
    /// <returns>Whether it was paused.</returns>
    public bool ResumeReplica(int index) => _replicas[index].Process.Resume();

    /// <summary>Cuts a replica server off: its data proxy (clients and peers reaching it) and its meta proxy (its beacons).</summary>
    /// <param name="index">Which one.</param>
    /// <param name="fault">How the links are cut.</param>
    /// <exception cref="InvalidOperationException">The cluster runs without proxies.</exception>
    public void IsolateReplica(int index, ProxyFault fault)
    {
        var replica = _replicas[index];
        if (replica.DataProxy is null || replica.MetaProxy is null)
        {
            throw new InvalidOperationException("The cluster runs without proxies (ProcessClusterOptions.Proxies).");
        }

        replica.DataProxy.Cut(fault);
        replica.MetaProxy.Cut(fault);
    }

    /// <summary>Lets a replica server's links pass again.</summary>
    /// <param name="index">Which one.</param>
    public void HealReplica(int index)
    {
        _replicas[index].DataProxy?.Heal();
        _replicas[index].MetaProxy?.Heal();
    }

    /// <summary>Kills the meta server (SIGKILL).</summary>
    public void KillMeta() => Meta.Kill();

    /// <summary>Starts the meta server again on the same ports and data directory and waits until it is ready.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes once it serves.</returns>
    public async Task RestartMetaAsync(CancellationToken cancellationToken)
    {
        Meta.Launch();
        await Meta.WaitForSuccessAsync(_http, MetaHttpAddress + "/health", _options.StartTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills every process at once (replica servers and the meta server), as a power cut would.</summary>
    public void KillAll()
    {
        // SIGKILL to all of them before waiting for any, so none outlives the others by a wait.
        foreach (var process in _replicas.Select(r => r.Process).Append(Meta))
        {
            if (process.ProcessId is { } pid)
            {
                ProcessSignals.TrySend(pid, ProcessSignals.Sigkill);
            }
        }

        foreach (var process in _replicas.Select(r => r.Process).Append(Meta))
        {
            process.Kill();
        }
    }

    /// <summary>
    /// Undoes every fault: continues paused servers, heals cut links, restarts the meta server and every replica server
    /// that is down, and waits until they serve.
    /// </summary>
    /// <param name="cancellationToken">Cancels the waits.</param>
    /// <returns>What was done, one line each (empty when nothing was wrong).</returns>
    public async Task<IReadOnlyList<string>> HealAllAsync(CancellationToken cancellationToken)
    {
        var actions = new List<string>();
        if (!Meta.IsRunning)
        {
            await RestartMetaAsync(cancellationToken).ConfigureAwait(false);
            actions.Add("restarted meta");
        }
        else if (Meta.Resume())
        {
            actions.Add("resumed meta");
        }

        var restarts = new List<Task>();
        foreach (var replica in _replicas)
        {
            if (replica.IsIsolated)
            {
                HealReplica(replica.Index);
                actions.Add($"healed {replica.Name}");
            }

            if (replica.Process.Resume())
            {
                actions.Add($"resumed {replica.Name}");
            }

            if (!replica.Process.IsRunning)
            {
                restarts.Add(RestartReplicaAsync(replica.Index, cancellationToken));
                actions.Add($"restarted {replica.Name}");
            }
        }

        await Task.WhenAll(restarts).ConfigureAwait(false);
        return actions;
    }
}
