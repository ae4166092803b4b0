using Pegasus.Chaos;

return await ChaosCommand.Create().Parse(args).InvokeAsync();
