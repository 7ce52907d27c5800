using System.Net;
using System.Net.Sockets;

namespace Gatehouse.Tests.Support;

/// <summary>
/// A port on 127.0.0.1 that refuses connections until <see cref="Open"/> and then forwards them to
/// the test cluster: a database that is down when Gatehouse starts and comes up later.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;

    public int Port { get; }

    public TcpForwarder(string targetHostAndPort)
    {
        var parts = targetHostAndPort.Split(':');
        _target = new IPEndPoint(IPAddress.Parse(parts[0]), int.Parse(parts[1]));
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The test cluster's address (GATEHOUSE_TEST_PG).</summary>
    public static TcpForwarder ToTestCluster() =>
        new(Environment.GetEnvironmentVariable("GATEHOUSE_TEST_PG") is { Length: > 0 } host ? host : "127.0.0.1:55433");

    /// <summary>Rewrites a postgres:// URL of the test cluster to go through this port.</summary>
    public string Through(string url)
    {
        var uri = new UriBuilder(url) { Port = Port };
        return uri.Uri.ToString();
    }

    public void Open()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _ = AcceptAsync(_listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
                await using var a = client.GetStream();
                await using var b = upstream.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener?.Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
