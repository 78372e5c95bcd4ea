using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TicketBooking.Bench;

/// <summary>
/// Real Blazor Server circuits without a browser: load a page, take its prerendered component markers, connect to the
/// circuit hub with the "blazorpack" protocol (MessagePack) and start the circuit the way blazor.web.js does
/// (StartCircuit, then UpdateRootComponents). The driver acknowledges every render batch and answers every JS call with
/// success, so the server holds each circuit's full component tree as it would for a browser tab.
/// </summary>
internal sealed partial class BlazorCircuit : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly TaskCompletionSource _rendered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly Uri _baseUri;
    private readonly string _cookie;
    private (byte[] Text, TaskCompletionSource<long> Seen)? _awaited;
    private string? _secret;

    private BlazorCircuit(HubConnection connection, Uri baseUri, string cookie)
    {
        _connection = connection;
        _baseUri = baseUri;
        _cookie = cookie;
    }

    public static async Task<BlazorCircuit> OpenAsync(TicketApi api, string path, CancellationToken cancellationToken)
    {
        var page = await api.SendAsync(HttpMethod.Get, path);
        var cookie = page.Cookie ?? throw new InvalidOperationException("The page set no buyer cookie.");
        return await StartAsync(api.Http.BaseAddress!, path, page.Body, cookie, null, cancellationToken);
    }

    /// <summary>
    /// Starts the circuit of a page already fetched (<paramref name="body"/>), as the browser that fetched it with
    /// <paramref name="cookie"/>; from <paramref name="localAddress"/> when given (one visitor's loopback address).
    /// </summary>
    public static async Task<BlazorCircuit> StartAsync(Uri baseUri, string path, string body, string cookie, System.Net.IPAddress? localAddress, CancellationToken cancellationToken)
    {
        var markers = Markers().Matches(body)
            .Select(m => JsonNode.Parse(m.Groups[1].Value)!.AsObject())
            .Where(m => m["descriptor"] is not null)
            .ToList();
        var state = State().Match(body) is { Success: true } found ? found.Groups[1].Value : "";
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "_blazor"), HttpTransportType.WebSockets, options =>
            {
                options.Headers["Cookie"] = cookie;
                if (localAddress is not null)
                {
                    options.WebSocketFactory = async (context, cancel) =>
                    {
                        var socket = new System.Net.WebSockets.ClientWebSocket();
                        socket.Options.SetRequestHeader("Cookie", cookie);
                        using var handler = new SocketsHttpHandler
                        {
                            ConnectCallback = (connect, token) => TicketApi.ConnectFromAsync(localAddress, connect.DnsEndPoint, token),
                        };
                        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
                        await socket.ConnectAsync(context.Uri, invoker, cancel);
                        return socket;
                    };
                }
            })
            .AddBlazorPackProtocol()
            .Build();
        connection.ServerTimeout = TimeSpan.FromMinutes(5);
        var circuit = new BlazorCircuit(connection, baseUri, cookie);
        connection.On("JS.RenderBatch", [typeof(long), typeof(byte[])], args =>
        {
            circuit._rendered.TrySetResult();
            circuit.Look((byte[])args[1]!);
            return connection.SendAsync("OnRenderCompleted", (long)args[0]!, null, cancellationToken);
        });
        connection.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long)], args =>
        {
            var taskId = (long)args[0]!;
            return connection.SendAsync("EndInvokeJSFromDotNet", taskId, true, $"[{taskId},true,null]", cancellationToken);
        });
        // At the circuit cap the server sends the page to the busy page (blazor.web.js's location.replace, circuit-start.js).
        var busy = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<string>("ticketbooking:busy", busy.SetResult);
        await connection.StartAsync(cancellationToken);
        using var leaving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var starting = connection.InvokeAsync<string?>("StartCircuit", $"{baseUri}", new Uri(baseUri, path).ToString(), "[]", state, leaving.Token);
        if (await Task.WhenAny(starting, (Task)busy.Task) == busy.Task)
        {
            // Leave at once, as the browser's location.replace does, without waiting for the answer the server holds back
            // until this client has gone.
            await leaving.CancelAsync();
            await connection.DisposeAsync();
            throw new CircuitBusyException(busy.Task.Result);
        }

        circuit._secret = await starting ?? throw new InvalidOperationException("The server refused the circuit.");
        var operations = new JsonObject
        {
            ["batchId"] = 1,
            ["operations"] = new JsonArray([.. markers.Select((marker, i) =>
            {
                var withId = marker.DeepClone().AsObject();
                withId["uniqueId"] = i;
                return (JsonNode)new JsonObject { ["type"] = "add", ["ssrComponentId"] = i + 1, ["marker"] = withId };
            })]),
        };
        await connection.SendAsync("UpdateRootComponents", operations.ToJsonString(), state, cancellationToken);
        await circuit._rendered.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return circuit;
    }

    /// <summary>Follows a link inside the app (client-side routing on the same circuit, as an anchor click in the page would).</summary>
    public Task NavigateAsync(string path, CancellationToken cancellationToken) =>
        _connection.SendAsync("OnLocationChanged", new Uri(_baseUri, path).ToString(), null, true, cancellationToken);

    /// <summary>
    /// Closes the tab: the beacon blazor.web.js sends on unload (<c>POST _blazor/disconnect</c> with the circuit's id), so the
    /// server ends the circuit at once instead of keeping it for a reconnect, then the connection.
    /// </summary>
    public async Task CloseAsync(TicketApi api)
    {
        if (_secret is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "_blazor/disconnect")
            {
                Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("circuitId", _secret)]),
            };
            request.Headers.TryAddWithoutValidation("Cookie", _cookie);
            using var _ = await api.Http.SendAsync(request);
        }

        await _connection.DisposeAsync();
    }

    /// <summary>
    /// Completes with the <see cref="Stopwatch"/> timestamp of the first render batch from now on whose bytes contain
    /// <paramref name="text"/> (render batches carry new text as UTF-8): when the page drew it.
    /// </summary>
    public Task<long> RendersAsync(string text)
    {
        var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _awaited = (System.Text.Encoding.UTF8.GetBytes(text), seen);
        }

        return seen.Task;
    }

    private void Look(byte[] batch)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_awaited is { } awaited && batch.AsSpan().IndexOf(awaited.Text) >= 0)
            {
                awaited.Seen.TrySetResult(now);
                _awaited = null;
            }
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex Markers();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex State();
}

/// <summary>The server had no circuit slot as the circuit started and sent the page to <see cref="BusyPath"/>.</summary>
internal sealed class CircuitBusyException(string busyPath) : Exception($"No circuit slot: sent to {busyPath}.")
{
    public string BusyPath { get; } = busyPath;
}

/// <summary>What Blazor's hub calls "blazorpack" is SignalR's MessagePack protocol under its own name.</summary>
internal sealed class BlazorPackProtocol(IHubProtocol messagePack) : IHubProtocol
{
    public string Name => "blazorpack";

    public int Version => messagePack.Version;

    public TransferFormat TransferFormat => TransferFormat.Binary;

    public bool IsVersionSupported(int version) => messagePack.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) =>
        messagePack.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => messagePack.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => messagePack.GetMessageBytes(message);
}

internal static class BlazorPack
{
    /// <summary>Replaces the builder's MessagePack protocol with the same protocol named "blazorpack".</summary>
    public static IHubConnectionBuilder AddBlazorPackProtocol(this IHubConnectionBuilder builder)
    {
        builder.AddMessagePackProtocol();
        var messagePack = builder.Services.Last(d => d.ServiceType == typeof(IHubProtocol));
        builder.Services.Remove(messagePack);
        builder.Services.AddSingleton<IHubProtocol>(sp => new BlazorPackProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(sp, messagePack.ImplementationType!)));
        return builder;
    }
}

/// <summary>
/// How much a Blazor circuit costs the server and how fast a change reaches them all: N circuits on one concert's page,
/// RSS before, with them open, and after they close; then, while open, a few holds through the API, each timed from its
/// answer until every circuit has received the render batch that shows the new count.
/// </summary>
internal static class CircuitsScenario
{
    private const int Changes = 5;
    private const int Capacity = 10_000;

    /// <summary>Room for the circuits the run opens (the server-wide cap is 5,000 by default).</summary>
    public static Dictionary<string, string> Settings(int count) => new() { ["Limits:MaxCircuits"] = (count + 100).ToString(CultureInfo.InvariantCulture) };

    /// <param name="gcDumps">A directory for heap snapshots before the circuits open and with them open (<c>--gcdump</c>), or null.</param>
    public static async Task<RunResult> RunAsync(AppUnderTest app, int count, string? gcDumps = null)
    {
        using var api = new TicketApi(app.BaseAddress, 64);
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, Capacity));
        var dumpRun = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        if (gcDumps is not null && app.ProcessId is { } before)
        {
            // One visitor's page first, so what every page shares (compiled components, caches) is in both snapshots.
            await using (await BlazorCircuit.OpenAsync(api, $"/concerts/{concertId}", CancellationToken.None))
            {
                await Profiler.GcDumpAsync(before, Path.Combine(gcDumps, $"circuits-{dumpRun}-before"));
            }
        }

        var rssBefore = app.ResidentMegabytes();
        var circuits = new System.Collections.Concurrent.ConcurrentBag<BlazorCircuit>();
        var failures = 0;
        // --trace profiles the changes, not the opening (which runs on Load too).
        var atChanges = LoadStart.Disarm();
        var opened = await Load.RunAsync(32, count, TimeSpan.FromMinutes(10), async (_, _) =>
        {
            try
            {
                circuits.Add(await BlazorCircuit.OpenAsync(api, $"/concerts/{concertId}", CancellationToken.None));
            }
#pragma warning disable CA1031 // A circuit that failed to open is counted, not fatal.
            catch (Exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref failures);
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(5)); // let the renders settle
        var rssOpen = app.ResidentMegabytes();
        if (gcDumps is not null && app.ProcessId is { } open)
        {
            await Profiler.GcDumpAsync(open, Path.Combine(gcDumps, $"circuits-{dumpRun}-open-{circuits.Count}"));
        }

        LoadStart.Arm(atChanges);
        await LoadStart.FireAsync();

        // One ticket held at a time; each change is timed until the last circuit drew it.
        var toAll = new Latencies();
        var toEach = new Latencies();
        var missed = 0;
        for (var change = 1; change <= Changes; change++)
        {
            var text = (Capacity - change).ToString("N0", CultureInfo.GetCultureInfo("en-US"));
            var renders = circuits.Select(c => c.RendersAsync(text)).ToList();
            var cookie = await api.NewBuyerAsync();
            var hold = await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 1), cookie);
            var answered = Stopwatch.GetTimestamp();
            if (hold.Status != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"The hold was refused: {hold.Status} {hold.Body}");
            }

            try
            {
                await Task.WhenAll(renders).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                missed += renders.Count(r => !r.IsCompleted);
            }

            var drawn = renders.Where(r => r.IsCompletedSuccessfully).Select(r => Stopwatch.GetElapsedTime(answered, r.Result).TotalMilliseconds).ToList();
            drawn.ForEach(toEach.AddMilliseconds);
            toAll.AddMilliseconds(drawn.Count > 0 ? drawn.Max() : 30_000);
        }

        foreach (var circuit in circuits)
        {
            await circuit.DisposeAsync();
        }

        // Closed connections keep their circuits for Limits:DisconnectedCircuitRetention (1 minute), then dispose them;
        // the app's memory trimmer looks every 30 s and acts once the count has settled.
        var rssClosed = app.ResidentMegabytes();
        await Task.Delay(TimeSpan.FromSeconds(150));
        var rssReleased = app.ResidentMegabytes();
        var perCircuit = (rssOpen - rssBefore) * 1024 / Math.Max(1, circuits.Count);
        return new RunResult()
            .Figure("circuits opened", circuits.Count, "")
            .Figure("open time", opened.TotalSeconds, "s")
            .Figure("RSS before", rssBefore ?? 0, "MB")
            .Figure($"RSS with circuits open", rssOpen ?? 0, "MB")
            .Figure("RSS per circuit", perCircuit ?? 0, "KB")
            .Percentiles("change → drawn in one circuit", toEach)
            .Percentiles("change → drawn in all", toAll)
            .Figure("RSS right after closing", rssClosed ?? 0, "MB")
            .Figure("RSS 150 s after closing", rssReleased ?? 0, "MB")
            .Check($"{count} circuits opened", failures == 0, $"{failures} failed")
            .Check($"every circuit drew all {Changes} changes", missed == 0, $"{missed} renders missed");
    }
}
