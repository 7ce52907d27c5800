// Drops this test process's databases when its tests are done (tests/Support/GatehouseTestFramework.cs).
[assembly: Xunit.TestFramework("Gatehouse.Tests.Support.GatehouseTestFramework", "Api.Tests")]
