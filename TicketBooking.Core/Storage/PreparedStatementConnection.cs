using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace TicketBooking.Core.Storage;

/// <summary>
/// The single writer's SQLite connection, keeping each statement it runs compiled for the next time. Microsoft.Data.Sqlite
/// keeps a statement prepared only for the life of one <see cref="SqliteCommand"/>, and Dapper makes a new command for every
/// call, so every write compiled its SQL afresh: <c>sqlite3_prepare_v2</c> was half of the writer's time in the hold
/// profile (docs/performance.md). Here a command asked for by Dapper is a thin front for one long-lived
/// <see cref="SqliteCommand"/> per SQL text; its parameters are bound anew on each use, as before.
/// </summary>
/// <remarks>
/// One thread uses this connection (the writer), and every query on it is buffered (read to the end before the next one
/// runs), so a kept command is never running twice at once; should one still be, the second use gets a command of its own.
/// </remarks>
internal sealed class PreparedStatementConnection(SqliteConnection inner) : DbConnection
{
    /// <summary>More distinct statements than the writer has (about a hundred) means SQL built per call: those are not kept.</summary>
    internal const int MaxKept = 512;

    private readonly Dictionary<string, SqliteCommand> _kept = new(StringComparer.Ordinal);
    private readonly HashSet<SqliteCommand> _running = [];

    public SqliteConnection Inner { get; } = inner;

    /// <summary>The SQLite connection behind <paramref name="connection"/>: itself, or the writer's inner one; null on another provider.</summary>
    internal static SqliteConnection? SqliteOf(DbConnection connection) =>
        connection as SqliteConnection ?? (connection as PreparedStatementConnection)?.Inner;

    /// <summary>Statements kept compiled now.</summary>
    internal int KeptCount => _kept.Count;

    [AllowNull]
    public override string ConnectionString
    {
        get => Inner.ConnectionString;
        set => Inner.ConnectionString = value;
    }

    public override string Database => Inner.Database;

    public override string DataSource => Inner.DataSource;

    public override string ServerVersion => Inner.ServerVersion;

    public override ConnectionState State => Inner.State;

    public override void ChangeDatabase(string databaseName) => Inner.ChangeDatabase(databaseName);

    public override void Close() => Inner.Close();

    public override void Open() => Inner.Open();

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => Inner.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new KeptCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _kept.Values)
            {
                command.Dispose();
            }

            _kept.Clear();
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The command for <paramref name="text"/>: the kept one when it is free, else one for this use only.</summary>
    private (SqliteCommand Command, bool Kept) Take(string text)
    {
        if (_kept.TryGetValue(text, out var kept) && !_running.Contains(kept))
        {
            kept.Parameters.Clear();
            _running.Add(kept);
            return (kept, true);
        }

        var command = Inner.CreateCommand();
        command.CommandText = text;
        if (kept is null && _kept.Count < MaxKept)
        {
            _kept[text] = command;
            _running.Add(command);
            return (command, true);
        }

        return (command, false);
    }

    private void Return(SqliteCommand command, bool kept)
    {
        command.Parameters.Clear();
        command.Transaction = null;
        command.CommandTimeout = Inner.DefaultTimeout;
        if (kept)
        {
            _running.Remove(command);
        }
        else
        {
            command.Dispose();
        }
    }

    /// <summary>
    /// What Dapper holds: text, parameters and transaction of its own (Dapper rewrites the text of a list parameter after
    /// binding others, and keeps a reference to the parameter collection); they go onto the kept command when it runs.
    /// </summary>
    private sealed class KeptCommand(PreparedStatementConnection connection) : DbCommand
    {
        private readonly SqliteParameterCollection _parameters = new OwnParameters();
        private SqliteCommand? _running;
        private bool _kept;
        private SqliteTransaction? _transaction;
        private int? _timeout;

        [AllowNull]
        public override string CommandText { get; set; } = "";

        public override int CommandTimeout
        {
            get => _timeout ?? connection.Inner.DefaultTimeout;
            set => _timeout = value;
        }

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text)
                {
                    throw new ArgumentException("SQLite runs SQL text only.", nameof(value));
                }
            }
        }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => connection;
            set
            {
                if (value is not null && !ReferenceEquals(value, connection))
                {
                    throw new InvalidOperationException("A kept command runs on the connection that made it.");
                }
            }
        }

        protected override DbParameterCollection DbParameterCollection => _parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set => _transaction = (SqliteTransaction?)value;
        }

        public override void Cancel() => _running?.Cancel();

        public override int ExecuteNonQuery()
        {
            try
            {
                return Start().ExecuteNonQuery();
            }
            finally
            {
                Release();
            }
        }

        public override object? ExecuteScalar()
        {
            try
            {
                return Start().ExecuteScalar();
            }
            finally
            {
                Release();
            }
        }

        public override void Prepare()
        {
            // Kept commands are prepared on first use and stay so.
        }

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        /// <summary>The reader's command stays taken until this command is disposed (Dapper disposes the reader first).</summary>
        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            try
            {
                return Start().ExecuteReader(behavior);
            }
            catch
            {
                Release();
                throw;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Release();
            }

            base.Dispose(disposing);
        }

        private SqliteCommand Start()
        {
            Release();
            (_running, _kept) = connection.Take(CommandText);
            _running.Transaction = _transaction;
            if (_timeout is { } timeout)
            {
                _running.CommandTimeout = timeout;
            }

            foreach (SqliteParameter parameter in _parameters)
            {
                // Dapper names parameters without the SQL's '@'; Microsoft.Data.Sqlite then asks SQLite for the bare name,
                // misses, and asks again with each prefix (two native look-ups per value). Named as the SQL names them: one.
                if (parameter.ParameterName is [not ('@' or '$' or ':'), ..] name)
                {
                    parameter.ParameterName = "@" + name;
                }

                _running.Parameters.Add(parameter);
            }

            return _running;
        }

        private void Release()
        {
            if (_running is not null)
            {
                connection.Return(_running, _kept);
                _running = null;
            }
        }

        /// <summary>A parameter list of the command's own (a SqliteCommand just for its list would be one more finalizer per statement).</summary>
        private sealed class OwnParameters : SqliteParameterCollection;
    }
}
