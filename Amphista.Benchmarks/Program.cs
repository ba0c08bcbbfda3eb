// Kernel micro-benchmarks: dotnet run -c Release --project Amphista.Benchmarks -- --filter '*MatMul*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
