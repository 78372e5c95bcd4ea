using System.Data;
using System.Globalization;
using Dapper;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Dapper mappings for the storage conventions, the same on both providers: ids are TEXT, instants are INTEGER Unix
/// milliseconds, flags are INTEGER 0/1. Without them Microsoft.Data.Sqlite would bind a <see cref="Guid"/> as a BLOB
/// and a <see cref="DateTimeOffset"/> as TEXT, both of which compare wrongly in SQL, and Npgsql would bind a
/// <see cref="bool"/> as a boolean, which PostgreSQL will not compare with an integer column.
/// </summary>
#pragma warning disable RS0030 // Registers type handlers; runs no SQL (TicketBooking.Core/Sql.cs runs it).
internal static class StorageTypeHandlers
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
        SqlMapper.AddTypeHandler(typeof(Guid), new GuidAsText());
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(typeof(DateTimeOffset), new DateTimeOffsetAsUnixMs());
        SqlMapper.RemoveTypeMap(typeof(bool));
        SqlMapper.RemoveTypeMap(typeof(bool?));
        SqlMapper.AddTypeHandler(typeof(bool), new BoolAsInteger());
    }

    /// <summary>
    /// A handler that types its parameter even when the value is null: PostgreSQL cannot infer the type of an untyped
    /// null in <c>@id IS NULL</c>, and <see cref="SqlMapper.TypeHandler{T}"/> leaves a null's type unset.
    /// </summary>
    private abstract class TypedHandler<T>(DbType dbType) : SqlMapper.ITypeHandler
    {
        public void SetValue(IDbDataParameter parameter, object value)
        {
            parameter.DbType = dbType;
            parameter.Value = value is null or DBNull ? DBNull.Value : ToDatabase((T)value);
        }

        public object? Parse(Type destinationType, object value) => value is null or DBNull ? null : FromDatabase(value);

        protected abstract object ToDatabase(T value);

        protected abstract T FromDatabase(object value);
    }

    private sealed class BoolAsInteger() : TypedHandler<bool>(DbType.Int64)
    {
        protected override object ToDatabase(bool value) => value ? 1L : 0L;

        protected override bool FromDatabase(object value) => value is bool flag ? flag : Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0;
    }

    private sealed class GuidAsText() : TypedHandler<Guid>(DbType.String)
    {
        protected override object ToDatabase(Guid value) => value.ToString("D");

        protected override Guid FromDatabase(object value) => value switch
        {
            string text => Guid.Parse(text),
            byte[] bytes => new Guid(bytes),
            _ => throw new DataException($"Cannot read a Guid from a {value.GetType().Name}."),
        };
    }

    private sealed class DateTimeOffsetAsUnixMs() : TypedHandler<DateTimeOffset>(DbType.Int64)
    {
        protected override object ToDatabase(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

        protected override DateTimeOffset FromDatabase(object value) =>
            DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }
}
#pragma warning restore RS0030
