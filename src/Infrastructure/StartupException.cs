namespace Gatehouse.Infrastructure;

/// <summary>A configuration problem that must stop the process with a message an operator can act on.</summary>
public sealed class StartupException(string message) : Exception(message);
