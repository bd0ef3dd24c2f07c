// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The one SQLite layer every SQLite-backed store is built on (component sealpipe::sqlite):
// opening a WAL-mode database, errors, statements, transactions.

#ifndef SEALPIPE_IO_SQLITE_HPP
#define SEALPIPE_IO_SQLITE_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace sealpipe::io::sqlite {

/// How `Database::open` behaves.
struct Options {
    /// How long an operation waits for another connection's write lock before failing
    /// with `errc::timed_out`.
    std::chrono::milliseconds busy_timeout{30000};
    /// `PRAGMA synchronous=FULL` (each commit survives power loss) rather than NORMAL
    /// (commits survive a crash of the process; the last ones may be lost on power loss).
    bool durable = true;
    /// Create the database file when it does not exist.
    bool create = true;
};

/// SQLite result codes to sealpipe errors: lock timeouts are `timed_out`, the rest `io_error`.
[[nodiscard]] inline Error error_from(sqlite3* db, int rc, std::string_view what) {
    const std::string msg = "sqlite: " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return fail(errc::timed_out, msg);
    case SQLITE_NOMEM:
    case SQLITE_MISUSE: return fail(errc::internal, msg);
    default: return fail(errc::io_error, msg);
    }
}

struct StatementDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
/// A prepared statement, finalized when it goes.
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

/// Resets a statement (and clears its bindings) when a scope ends.
struct Reset {
    explicit Reset(sqlite3_stmt* statement) noexcept : s(statement) {}
    Reset(const Reset&) = delete;
    Reset& operator=(const Reset&) = delete;
    ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    sqlite3_stmt* s;
};

/// Binds bytes (copied by SQLite only when `transient`).
inline void bind_blob(sqlite3_stmt* s, int i, const void* p, std::size_t n, bool transient = false) noexcept {
    if (n == 0) sqlite3_bind_zeroblob(s, i, 0);
    else sqlite3_bind_blob64(s, i, p, n, transient ? SQLITE_TRANSIENT : SQLITE_STATIC);
}
inline void bind_blob(sqlite3_stmt* s, int i, ByteView b) noexcept { bind_blob(s, i, b.data(), b.size()); }
inline void bind_blob(sqlite3_stmt* s, int i, std::string_view b) noexcept { bind_blob(s, i, b.data(), b.size()); }
inline void bind_text(sqlite3_stmt* s, int i, std::string_view t) noexcept {
    sqlite3_bind_text64(s, i, t.data(), t.size(), SQLITE_STATIC, SQLITE_UTF8);
}
/// The bytes of column `i` of the current row (valid until the next step or reset).
[[nodiscard]] inline std::string_view column_bytes(sqlite3_stmt* s, int i) noexcept {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, i));
    return p ? std::string_view(p, n) : std::string_view();
}

/** One connection to a database file in WAL mode (readers never block writers, and a killed
    writer leaves only an uncommitted tail that the next connection ignores), with the busy
    handler set, extended result codes, and the mutex its users hold around each use.
    @par Thread safety None of its own: hold `mutex` around every call. */
class Database {
public:
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database() {
        if (db_) sqlite3_close_v2(db_);   // statements still alive close it when they go
    }

    /** Opens the database at `path` and runs `schema` (statements separated by ';').
        @par Errors `errc::io_error`, `errc::timed_out`; `errc::io_error` naming the path
        when `options.create` is false and no database is there. */
    [[nodiscard]] static result<std::unique_ptr<Database>> open(const std::string& path, const Options& options,
                                                                std::string_view schema = {}) {
        std::unique_ptr<Database> d(new Database);
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
        if (options.create) flags |= SQLITE_OPEN_CREATE;
        const int rc = sqlite3_open_v2(path.c_str(), &d->db_, flags, nullptr);
        if (rc != SQLITE_OK) return error_from(d->db_, rc, "cannot open '" + path + "'");
        sqlite3_extended_result_codes(d->db_, 1);
        sqlite3_busy_timeout(d->db_, static_cast<int>(options.busy_timeout.count()));
        const std::string context = "opening '" + path + "'";
        // Switching a fresh file to WAL while another connection does the same can report
        // busy at once, without the busy handler: try again until the busy timeout.
        const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
        for (;;) {
            auto r = d->exec("PRAGMA journal_mode=WAL");
            if (r) break;
            const int code = sqlite3_errcode(d->db_) & 0xff;
            if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline)
                return std::move(r.error()).context(context);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (auto r = d->exec(options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !r)
            return std::move(r.error()).context(context);
        if (!schema.empty())
            if (auto r = d->exec(schema); !r) return std::move(r.error()).context(context);
        return d;
    }

    /** Runs SQL text whose rows are not needed, statement by statement (with the busy handler,
        unlike sqlite3_exec for `PRAGMA journal_mode` on a fresh file, which reports busy). */
    [[nodiscard]] result<void> exec(std::string_view sql) {
        const char* p = sql.data();
        const char* end = sql.data() + sql.size();
        while (p < end) {
            sqlite3_stmt* raw = nullptr;
            const char* tail = nullptr;
            int rc = sqlite3_prepare_v2(db_, p, static_cast<int>(end - p), &raw, &tail);
            if (rc != SQLITE_OK) return error_from(db_, rc, sql);
            if (!raw) break;   // only whitespace or comments left
            Statement s(raw);
            while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {}
            if (rc != SQLITE_DONE) return error_from(db_, rc, sql);
            p = tail;
        }
        return {};
    }

    /// Prepares one statement kept for the life of the connection.
    [[nodiscard]] result<Statement> prepare(std::string_view sql) {
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                          &raw, nullptr);
        if (rc != SQLITE_OK) return error_from(db_, rc, "cannot prepare '" + std::string(sql) + "'");
        return Statement(raw);
    }

    /// Steps a statement that returns no row, then resets it.
    [[nodiscard]] result<void> step_done(sqlite3_stmt* s, std::string_view what) {
        Reset reset{s};
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return error_from(db_, rc, what);
        return {};
    }

    /** Runs `body` (returning `result<T>`) in a write transaction: BEGIN IMMEDIATE takes the
        write lock up front, so the busy handler applies and two upgrading readers cannot
        deadlock. A failed body or commit rolls back. */
    template <class F>
    [[nodiscard]] auto transaction(F&& body) -> decltype(body()) {
        if (!begin_) {
            for (auto [stmt, sql] : {std::pair{&begin_, "BEGIN IMMEDIATE"}, std::pair{&commit_, "COMMIT"},
                                     std::pair{&rollback_, "ROLLBACK"}}) {
                auto s = prepare(sql);
                if (!s) return s.error();
                *stmt = std::move(*s);
            }
        }
        if (auto r = step_done(begin_.get(), "begin transaction"); !r) return r.error();
        auto r = body();
        if (!r) {
            (void)step_done(rollback_.get(), "rollback");
            return r;
        }
        if (auto c = step_done(commit_.get(), "commit"); !c) {
            (void)step_done(rollback_.get(), "rollback");
            return c.error();
        }
        return r;
    }

    /// Rows changed by the last statement.
    [[nodiscard]] std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }
    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }
    [[nodiscard]] Error error(int rc, std::string_view what) const { return error_from(db_, rc, what); }

    std::mutex mutex;

private:
    Database() = default;
    sqlite3* db_ = nullptr;
    Statement begin_, commit_, rollback_;
};

} // namespace sealpipe::io::sqlite

#endif // SEALPIPE_IO_SQLITE_HPP
