using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gatehouse.Tests.Support;

/// <summary>
/// xunit's own test framework, plus one step once every test of the assembly has run: the databases this
/// test process created are dropped. It runs before xunit reports the assembly finished, because the test
/// platform ends the test process soon after that report without waiting for ProcessExit handlers.
/// Each test project names it in an assembly attribute (tests/AssemblyInfo.cs, Browser/, Client/).
/// </summary>
public sealed class GatehouseTestFramework(IMessageSink diagnosticMessageSink) : XunitTestFramework(diagnosticMessageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformation, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformation, diagnosticMessageSink)
    {
        // The same as xunit's, with the runner below.
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink,
            ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new Runner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class Runner(ITestAssembly testAssembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnosticMessageSink,
        IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
    {
        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            // A failure to drop is reported as the assembly's cleanup failure, not swallowed.
            await Aggregator.RunAsync(TestDatabase.DropAllAsync);
            await base.BeforeTestAssemblyFinishedAsync();
        }
    }
}
