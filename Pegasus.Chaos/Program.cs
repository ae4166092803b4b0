Console.Error.WriteLine("Pegasus.Chaos: commands are being built.");
return 2;
