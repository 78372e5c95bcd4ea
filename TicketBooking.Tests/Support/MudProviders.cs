using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace TicketBooking.Tests.Support;

/// <summary>
/// What MainLayout gives every page: MudBlazor's popover, dialog and snackbar providers beside the content. Wrapped around
/// every component a test renders; a test that renders several gets the providers once (MudBlazor allows one of each).
/// </summary>
public sealed class MudProviders : ComponentBase, IDisposable
{
    private bool _owner;

    [Inject]
    private ProviderSlot Slot { get; set; } = default!;

    [Parameter]
    public RenderFragment? ChildContent { get; set; }

    protected override void OnInitialized() => _owner = Slot.TryClaim();

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (_owner)
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1);
            builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2);
            builder.CloseComponent();
        }

        builder.AddContent(3, ChildContent);
    }

    public void Dispose()
    {
        if (_owner)
        {
            Slot.Release();
        }
    }

    /// <summary>Whether one <see cref="MudProviders"/> of this test already renders the providers.</summary>
    public sealed class ProviderSlot
    {
        private int _taken;

        public bool TryClaim() => Interlocked.Exchange(ref _taken, 1) == 0;

        public void Release() => Volatile.Write(ref _taken, 0);
    }
}
