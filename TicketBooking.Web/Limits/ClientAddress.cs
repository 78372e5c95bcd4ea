using System.Net;
using System.Net.Sockets;

namespace TicketBooking.Web.Limits;

/// <summary>
/// The client a per-address limit counts: the remote IPv4 address, or the /64 an IPv6 address belongs to (one
/// subscriber gets a whole /64 and can pick any address in it). The remote address is the proxy's unless
/// ForwardedHeaders trusts that proxy (<c>ForwardedHeaders:KnownProxies</c>, <c>KnownNetworks</c>).
/// </summary>
public static class ClientAddress
{
    public const string Unknown = "unknown";

    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Of(context.Connection.RemoteIpAddress);
    }

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return Unknown;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }
}
