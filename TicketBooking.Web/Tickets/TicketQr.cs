using QRCoder;

namespace TicketBooking.Web.Tickets;

/// <summary>A ticket's QR code as SVG (QRCoder): medium error correction, the 4-module quiet zone scanners need, scalable.</summary>
public static class TicketQr
{
    public static string Svg(string code)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(code, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(8, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }
}
