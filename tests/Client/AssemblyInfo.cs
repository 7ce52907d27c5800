// Drops this test process's databases when its tests are done (../Support/GatehouseTestFramework.cs).
[assembly: Xunit.TestFramework("Gatehouse.Tests.Support.GatehouseTestFramework", "Client.Tests")]
