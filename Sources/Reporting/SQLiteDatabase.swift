import CSQLite

/// A value bound to, or read from, an SQLite statement.
public enum SQLValue: Sendable, Equatable, CustomStringConvertible {
    /// `NULL`.
    case null
    /// An integer.
    case integer(Int)
    /// A real number.
    case real(Double)
    /// Text.
    case text(String)

    /// The value as text (`NULL` for null).
    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return value
        }
    }

    /// The integer, or nil.
    public var intValue: Int? {
        switch self {
        case .integer(let value): return value
        case .real(let value): return Int(value)
        default: return nil
        }
    }

    /// The number, or nil.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        default: return nil
        }
    }

    /// The text, or nil.
    public var stringValue: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}

/// An SQLite failure, with the statement or file it concerns and SQLite's own message.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// SQLite's result code.
    public let code: Int32
    /// What was being done and SQLite's message.
    public let message: String

    /// `sqlite error CODE: message`.
    public var description: String { "sqlite error \(code): \(message)" }
}

/// One open SQLite connection (the module's only door to `libsqlite3`); closed on release.
///
/// Not `Sendable`: a connection is used by one task at a time.
public final class SQLiteDatabase {
    private var handle: OpaquePointer?

    /// Opens (creating it if needed) the database file at `path`. `sqlite3_open_v2`
    public init(path: String) throws(SQLiteError) {
        var pointer: OpaquePointer?
        let code = sqlite3_open_v2(path, &pointer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard code == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(pointer)
            throw SQLiteError(code: code, message: "cannot open \(path): \(message)")
        }
        handle = pointer
    }

    deinit {
        sqlite3_close(handle)
    }

    /// Runs SQL with no parameters and no results (DDL, `BEGIN`, `COMMIT`). `sqlite3_exec`
    public func execute(_ sql: String) throws(SQLiteError) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw error(code, "executing `\(sql.prefix(60))`") }
    }

    /// Runs one parameterised statement once per row of `rows` (prepared once). `sqlite3_prepare_v2`,
    /// `sqlite3_bind_*`, `sqlite3_step`, `sqlite3_reset`, `sqlite3_finalize`
    public func insert(_ sql: String, rows: [[SQLValue]]) throws(SQLiteError) {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        for row in rows {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            bind(row, to: statement)
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else { throw error(code, "inserting with `\(sql.prefix(60))`") }
        }
    }

    /// Runs a parameterised query and returns its rows. `sqlite3_prepare_v2`, `sqlite3_step`, `sqlite3_column_*`,
    /// `sqlite3_finalize`
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> [[SQLValue]] {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        bind(parameters, to: statement)
        var rows: [[SQLValue]] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw error(code, "querying `\(sql.prefix(60))`") }
            let columns = sqlite3_column_count(statement)
            rows.append(
                (0..<columns).map { column in
                    switch sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: return .integer(Int(sqlite3_column_int64(statement, column)))
                    case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
                    case SQLITE_NULL: return .null
                    default:
                        guard let text = sqlite3_column_text(statement, column) else { return .null }
                        return .text(String(cString: text))
                    }
                }
            )
        }
        return rows
    }

    private func prepare(_ sql: String) throws(SQLiteError) -> OpaquePointer? {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK else { throw error(code, "preparing `\(sql.prefix(60))`") }
        return statement
    }

    /// Binds `values` to parameters 1…n; a bind failure is a programmer error (wrong count or type).
    private func bind(_ values: [SQLValue], to statement: OpaquePointer?) {
        let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(statement, index)
            case .integer(let number): code = sqlite3_bind_int64(statement, index, sqlite3_int64(number))
            case .real(let number): code = sqlite3_bind_double(statement, index, number)
            case .text(let text): code = sqlite3_bind_text(statement, index, text, -1, transient)
            }
            precondition(code == SQLITE_OK, "binding parameter \(index): \(String(cString: sqlite3_errmsg(handle)))")
        }
    }

    private func error(_ code: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: code, message: "\(context): \(String(cString: sqlite3_errmsg(handle)))")
    }
}
