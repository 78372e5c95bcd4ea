using System.Data;
using System.Data.Common;
using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core;

/// <summary>
/// The one door every statement of the engine goes through to the database: Dapper's calls, with each statement put in
/// its provider's dialect first (<see cref="Dialect"/>). The names and parameters are Dapper's, on <see cref="DbConnection"/>
/// (more specific than Dapper's <see cref="IDbConnection"/>, so the compiler picks these), and this project bans Dapper's
/// own (BannedSymbols.txt): a statement cannot reach PostgreSQL without the rewrite.
/// </summary>
#pragma warning disable RS0030 // The one place Dapper's query methods are called.
internal static class Sql
{
    public static int Execute(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.Execute(connection, Dialect.Statement(connection, sql), param, transaction);

    public static Task<int> ExecuteAsync(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.ExecuteAsync(connection, Dialect.Statement(connection, sql), param, transaction);

    public static Task<int> ExecuteAsync(this DbConnection connection, CommandDefinition command) =>
        SqlMapper.ExecuteAsync(connection, For(connection, command));

    public static T? ExecuteScalar<T>(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.ExecuteScalar<T>(connection, Dialect.Statement(connection, sql), param, transaction);

    public static Task<T?> ExecuteScalarAsync<T>(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.ExecuteScalarAsync<T>(connection, Dialect.Statement(connection, sql), param, transaction);

    public static Task<T?> ExecuteScalarAsync<T>(this DbConnection connection, CommandDefinition command) =>
        SqlMapper.ExecuteScalarAsync<T>(connection, For(connection, command));

    /// <summary>Every row, read before this returns.</summary>
    public static List<T> Query<T>(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.Query<T>(connection, Dialect.Statement(connection, sql), param, transaction).AsList();

    public static async Task<List<T>> QueryAsync<T>(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        (await SqlMapper.QueryAsync<T>(connection, Dialect.Statement(connection, sql), param, transaction).ConfigureAwait(false)).AsList();

    public static async Task<List<T>> QueryAsync<T>(this DbConnection connection, CommandDefinition command) =>
        (await SqlMapper.QueryAsync<T>(connection, For(connection, command)).ConfigureAwait(false)).AsList();

    public static T QuerySingle<T>(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.QuerySingle<T>(connection, Dialect.Statement(connection, sql), param, transaction);

    public static Task<T> QuerySingleAsync<T>(this DbConnection connection, CommandDefinition command) =>
        SqlMapper.QuerySingleAsync<T>(connection, For(connection, command));

    public static T? QuerySingleOrDefault<T>(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.QuerySingleOrDefault<T>(connection, Dialect.Statement(connection, sql), param, transaction);

    public static Task<T?> QuerySingleOrDefaultAsync<T>(this DbConnection connection, CommandDefinition command) =>
        SqlMapper.QuerySingleOrDefaultAsync<T>(connection, For(connection, command));

    public static T? QueryFirstOrDefault<T>(this DbConnection connection, string sql, object? param = null, IDbTransaction? transaction = null) =>
        SqlMapper.QueryFirstOrDefault<T>(connection, Dialect.Statement(connection, sql), param, transaction);

    private static CommandDefinition For(DbConnection connection, CommandDefinition command) =>
        new(Dialect.Statement(connection, command.CommandText), command.Parameters, command.Transaction, command.CommandTimeout, command.CommandType, command.Flags, command.CancellationToken);
}
#pragma warning restore RS0030
