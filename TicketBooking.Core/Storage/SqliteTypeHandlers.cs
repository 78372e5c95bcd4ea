using System.Data;
using System.Globalization;
using Dapper;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Dapper mappings for the storage conventions: ids are TEXT, instants are INTEGER Unix milliseconds.
/// Without them Microsoft.Data.Sqlite would bind a <see cref="Guid"/> as a BLOB and a
/// <see cref="DateTimeOffset"/> as TEXT, both of which compare wrongly in SQL.
/// </summary>
internal static class SqliteTypeHandlers
{
    private static int s_registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 1)
        {
            return;
        }

        SqlMapper.RemoveTypeMap(typeof(Guid));
        SqlMapper.RemoveTypeMap(typeof(Guid?));
        SqlMapper.AddTypeHandler(new GuidAsText());
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new DateTimeOffsetAsUnixMs());
    }

    private sealed class GuidAsText : SqlMapper.TypeHandler<Guid>
    {
        public override void SetValue(IDbDataParameter parameter, Guid value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = value.ToString("D");
        }

        public override Guid Parse(object value) => value switch
        {
            string text => Guid.Parse(text),
            byte[] bytes => new Guid(bytes),
            _ => throw new DataException($"Cannot read a Guid from a {value.GetType().Name}."),
        };
    }

    private sealed class DateTimeOffsetAsUnixMs : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value.ToUnixTimeMilliseconds();
        }

        public override DateTimeOffset Parse(object value) =>
            DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }
}
