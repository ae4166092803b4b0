using Pegasus.Bench;

return await BenchCommand.Create().Parse(args).InvokeAsync();
