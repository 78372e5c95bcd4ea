using QRCoder;
using SkiaSharp;
using ZXing;
using ZXing.Common;

namespace TicketBooking.Tests.Support;

/// <summary>Reading QR codes the way a scanner would (ZXing.Net), and a fake camera feed that shows one.</summary>
public static class QrImages
{
    /// <summary>The text of the QR code in a PNG (a screenshot), or <c>null</c> when none can be read.</summary>
    public static string? Decode(byte[] png)
    {
        using var decoded = SKBitmap.Decode(png);
        using var bitmap = decoded.Copy(SKColorType.Rgba8888);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true } };
        return reader.Decode(bitmap.Bytes, bitmap.Width, bitmap.Height, RGBLuminanceSource.BitmapFormat.RGBA32)?.Text;
    }

    /// <summary>
    /// A one-frame 640×480 YUV4MPEG2 video of <paramref name="text"/> as a QR code (8 px a module, quiet zone kept, black
    /// on white), for Chromium's <c>--use-file-for-fake-video-capture</c>, which loops it as the camera.
    /// </summary>
    public static void WriteCameraFeed(string text, string path)
    {
        const int Width = 640, Height = 480, Scale = 8;
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var modules = data.ModuleMatrix;
        var size = modules.Count * Scale;
        var (left, top) = ((Width - size) / 2, (Height - size) / 2);
        var luma = new byte[Width * Height];
        Array.Fill(luma, (byte)235);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (modules[y / Scale][x / Scale])
                {
                    luma[((top + y) * Width) + left + x] = 16;
                }
            }
        }

        using var file = File.Create(path);
        file.Write(System.Text.Encoding.ASCII.GetBytes($"YUV4MPEG2 W{Width} H{Height} F10:1 Ip A1:1 C420\nFRAME\n"));
        file.Write(luma);
        var chroma = new byte[Width * Height / 2];
        Array.Fill(chroma, (byte)128);
        file.Write(chroma);
    }
}
