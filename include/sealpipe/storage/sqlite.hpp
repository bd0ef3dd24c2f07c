// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Sqlite`: the embedded default storage backend, one table in a WAL-mode database file
// (component sealpipe::sqlite).

#ifndef SEALPIPE_STORAGE_SQLITE_HPP
#define SEALPIPE_STORAGE_SQLITE_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sealpipe::storage {

/// How `Sqlite::open` behaves.
struct SqliteOptions {
    /// How long an operation waits for another connection's write lock before failing
    /// with `error::timed_out`.
    std::chrono::milliseconds busy_timeout{30000};
    /// `PRAGMA synchronous=FULL` (each commit survives power loss) rather than NORMAL
    /// (commits survive a crash of the process; the last ones may be lost on power loss).
    bool durable = true;
    /// Create the database file when it does not exist.
    bool create = true;
};

namespace detail::sqlite {

/// Microseconds since the Unix epoch: the `written` column.
inline std::int64_t to_micros(WriteTime t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
inline WriteTime from_micros(std::int64_t us) noexcept {
    return WriteTime(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(us)));
}

/// SQLite result codes to sealpipe errors: lock timeouts are `timed_out`, the rest `io_error`.
[[nodiscard]] inline Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
    const std::string msg = "sqlite: " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return fail(error::timed_out, msg);
    case SQLITE_NOMEM: return fail(error::internal, msg);
    case SQLITE_MISUSE: return fail(error::internal, msg);
    default: return fail(error::io_error, msg);
    }
}

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

/// Resets a statement (and clears its bindings) when a scope ends.
struct Reset {
    sqlite3_stmt* s;
    ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
};

inline constexpr std::string_view schema =
    "CREATE TABLE IF NOT EXISTS objects ("
    " key BLOB PRIMARY KEY NOT NULL,"   // the 40-byte reference
    " written INTEGER NOT NULL,"        // microseconds since the epoch of the last put
    " data BLOB NOT NULL)";

/// One connection, its prepared statements and the mutex that serialises their use.
class Connection {
public:
    ~Connection() {
        for (auto* s : {&put_, &get_, &contains_, &touch_, &remove_, &remove_if_, &page_, &begin_, &commit_, &rollback_})
            s->reset();
        if (db_) sqlite3_close_v2(db_);
    }

    [[nodiscard]] static result<std::shared_ptr<Connection>> open(const std::string& path, const SqliteOptions& o) {
        auto c = std::shared_ptr<Connection>(new Connection);
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
        if (o.create) flags |= SQLITE_OPEN_CREATE;
        int rc = sqlite3_open_v2(path.c_str(), &c->db_, flags, nullptr);
        if (rc != SQLITE_OK) {
            auto e = sqlite_error(c->db_, rc, "cannot open '" + path + "'");
            return e;
        }
        sqlite3_extended_result_codes(c->db_, 1);
        sqlite3_busy_timeout(c->db_, static_cast<int>(o.busy_timeout.count()));
        // WAL: readers never block writers and a killed writer leaves only an uncommitted
        // tail that the next connection ignores.
        const std::string context = "opening '" + path + "'";
        if (auto r = c->exec("PRAGMA journal_mode=WAL"); !r) return std::move(r.error()).context(context);
        if (auto r = c->exec(o.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"); !r)
            return std::move(r.error()).context(context);
        if (auto r = c->exec(std::string(schema)); !r) return std::move(r.error()).context(context);
        struct {
            Stmt* stmt;
            const char* sql;
        } const statements[] = {
            {&c->put_, "INSERT INTO objects(key, written, data) VALUES(?1, ?2, ?3) "
                       "ON CONFLICT(key) DO UPDATE SET written = excluded.written"},
            {&c->get_, "SELECT data FROM objects WHERE key = ?1"},
            {&c->contains_, "SELECT 1 FROM objects WHERE key = ?1"},
            {&c->touch_, "UPDATE objects SET written = ?2 WHERE key = ?1"},
            {&c->remove_, "DELETE FROM objects WHERE key = ?1"},
            {&c->remove_if_, "DELETE FROM objects WHERE key = ?1 AND written < ?2"},
            {&c->page_, "SELECT key, written FROM objects WHERE key > ?1 ORDER BY key LIMIT ?2"},
            {&c->begin_, "BEGIN IMMEDIATE"},
            {&c->commit_, "COMMIT"},
            {&c->rollback_, "ROLLBACK"},
        };
        for (const auto& s : statements) {
            sqlite3_stmt* raw = nullptr;
            rc = sqlite3_prepare_v3(c->db_, s.sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
            if (rc != SQLITE_OK) return sqlite_error(c->db_, rc, "cannot prepare statement");
            s.stmt->reset(raw);
        }
        return c;
    }

    std::mutex mutex;
    sqlite3* db() const noexcept { return db_; }

    /// Runs SQL text that returns no rows we need (with the busy handler, unlike sqlite3_exec
    /// for PRAGMA journal_mode on a fresh file, which reports busy directly).
    [[nodiscard]] result<void> exec(const std::string& sql) {
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
        if (rc != SQLITE_OK) return sqlite_error(db_, rc, sql);
        Stmt s(raw);
        while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {}
        if (rc != SQLITE_DONE) return sqlite_error(db_, rc, sql);
        return {};
    }

    // Each function below expects `mutex` to be held.

    [[nodiscard]] result<void> put(const Key& k, ByteView data, std::int64_t now) {
        sqlite3_stmt* s = put_.get();
        Reset reset{s};
        sqlite3_bind_blob(s, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, now);
        if (data.empty()) sqlite3_bind_zeroblob(s, 3, 0);
        else sqlite3_bind_blob64(s, 3, data.data(), data.size(), SQLITE_STATIC);
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return sqlite_error(db_, rc, "put");
        return {};
    }

    /// The object, nullopt when absent.
    [[nodiscard]] result<std::optional<Bytes>> get(const Key& k) {
        sqlite3_stmt* s = get_.get();
        Reset reset{s};
        sqlite3_bind_blob(s, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) return std::optional<Bytes>();
        if (rc != SQLITE_ROW) return sqlite_error(db_, rc, "get");
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, 0));
        if (size > max_object_bytes) return detail::oversized(k, size);
        const auto* p = static_cast<const Byte*>(sqlite3_column_blob(s, 0));
        return std::optional<Bytes>(Bytes(p, p + (p ? size : 0)));
    }

    [[nodiscard]] result<bool> contains(const Key& k) {
        sqlite3_stmt* s = contains_.get();
        Reset reset{s};
        sqlite3_bind_blob(s, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        return sqlite_error(db_, rc, "contains");
    }

    /// Runs a statement binding key (and time); returns whether a row changed.
    [[nodiscard]] result<bool> change(sqlite3_stmt* s, const Key& k, std::optional<std::int64_t> t,
                                      std::string_view what) {
        Reset reset{s};
        sqlite3_bind_blob(s, 1, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
        if (t) sqlite3_bind_int64(s, 2, *t);
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return sqlite_error(db_, rc, what);
        return sqlite3_changes(db_) > 0;
    }

    [[nodiscard]] result<void> step_simple(sqlite3_stmt* s, std::string_view what) {
        Reset reset{s};
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return sqlite_error(db_, rc, what);
        return {};
    }

    /// Runs `body` in a write transaction (BEGIN IMMEDIATE takes the write lock up front, so
    /// the busy handler applies and no deadlock between two upgrading readers can occur).
    template <class F>
    [[nodiscard]] auto transaction(F&& body) -> decltype(body()) {
        if (auto r = step_simple(begin_.get(), "begin transaction"); !r) return r.error();
        auto r = body();
        if (!r) {
            (void)step_simple(rollback_.get(), "rollback");
            return r;
        }
        if (auto c = step_simple(commit_.get(), "commit"); !c) {
            (void)step_simple(rollback_.get(), "rollback");
            return c.error();
        }
        return r;
    }

    Stmt put_, get_, contains_, touch_, remove_, remove_if_, page_, begin_, commit_, rollback_;

private:
    Connection() = default;
    sqlite3* db_ = nullptr;
};

} // namespace detail::sqlite

/** Objects in one table of a SQLite database in WAL mode:
    `objects(key BLOB PRIMARY KEY, written INTEGER, data BLOB)`.

    @par Guarantees Each put is one transaction (a `put_many` is one transaction for the whole
    batch): after a crash of the process or the machine (with `durable`), an object is there
    whole or not at all. Prepared statements are made once per connection.
    @par Thread and process safety A `Sqlite` is one connection guarded by a mutex, so one
    handle may be shared by threads (they take turns); copies share the connection. For
    parallel writers open one handle per thread or process: SQLite serialises writers with
    its file lock, waiting up to `busy_timeout`. Never use a handle in a forked child: open
    a new one there.
    @par Errors `error::io_error` (cannot open, disk full, read-only, I/O), `error::timed_out`
    (the write lock stayed busy for `busy_timeout`). */
class Sqlite {
public:
    /** Opens (by default creating) the database file at `path`.
        @par Errors `error::io_error`, `error::timed_out`. */
    [[nodiscard]] static result<Sqlite> open(const std::string& path, SqliteOptions options = {}) {
        auto c = detail::sqlite::Connection::open(path, options);
        if (!c) return c.error();
        return Sqlite(std::move(*c));
    }

    [[nodiscard]] result<void> put(const Key& k, ByteView data) {
        const auto now = detail::sqlite::to_micros(Clock::now());
        std::lock_guard lock(c_->mutex);
        return c_->put(k, data, now);
    }

    [[nodiscard]] result<Bytes> get(const Key& k) {
        std::lock_guard lock(c_->mutex);
        auto r = c_->get(k);
        if (!r) return r.error();
        if (!*r) return detail::not_found(k);
        return std::move(**r);
    }

    [[nodiscard]] result<bool> contains(const Key& k) {
        std::lock_guard lock(c_->mutex);
        return c_->contains(k);
    }

    [[nodiscard]] result<bool> touch(const Key& k) {
        const auto now = detail::sqlite::to_micros(Clock::now());
        std::lock_guard lock(c_->mutex);
        return c_->change(c_->touch_.get(), k, now, "touch");
    }

    [[nodiscard]] result<bool> remove(const Key& k) {
        std::lock_guard lock(c_->mutex);
        return c_->change(c_->remove_.get(), k, std::nullopt, "remove");
    }

    /// One DELETE with the time in its WHERE clause: atomic against concurrent puts.
    [[nodiscard]] result<bool> remove_if_written_before(const Key& k, WriteTime cutoff) {
        std::lock_guard lock(c_->mutex);
        return c_->change(c_->remove_if_.get(), k, detail::sqlite::to_micros(cutoff), "remove");
    }

    /// Visits keys in order, a page at a time; no lock or transaction is held while visiting.
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) {
        constexpr int page_rows = 512;
        Key after{}; // the all-zero key; the blob comparison starts strictly after it
        bool first = true;
        while (true) {
            std::vector<ObjectInfo> page;
            {
                std::lock_guard lock(c_->mutex);
                sqlite3_stmt* s = c_->page_.get();
                detail::sqlite::Reset reset{s};
                if (first) sqlite3_bind_zeroblob(s, 1, 0); // '' sorts before every key
                else sqlite3_bind_blob(s, 1, after.data(), static_cast<int>(after.size()), SQLITE_STATIC);
                sqlite3_bind_int(s, 2, page_rows);
                int rc;
                while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                    const auto* p = static_cast<const Byte*>(sqlite3_column_blob(s, 0));
                    const int n = sqlite3_column_bytes(s, 0);
                    if (!p || n != static_cast<int>(Key::size())) continue; // not an object row
                    auto key = Key::from(ByteView(p, static_cast<std::size_t>(n)));
                    page.push_back({*key, detail::sqlite::from_micros(sqlite3_column_int64(s, 1))});
                }
                if (rc != SQLITE_DONE) return detail::sqlite::sqlite_error(c_->db(), rc, "enumerate");
            }
            first = false;
            if (page.empty()) return {};
            after = page.back().key;
            for (const auto& info : page)
                if (!visit(info)) return {};
            if (page.size() < static_cast<std::size_t>(page_rows)) return {};
        }
    }

    /// The whole batch in one transaction: all stored or none.
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        const auto now = detail::sqlite::to_micros(Clock::now());
        std::lock_guard lock(c_->mutex);
        return c_->transaction([&]() -> result<void> {
            for (const auto& it : items)
                if (auto r = c_->put(it.key, it.data, now); !r) return r;
            return {};
        });
    }

    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Key> keys) {
        std::vector<std::optional<Bytes>> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        for (const auto& k : keys) {
            auto r = c_->get(k);
            if (!r) return r.error();
            out.push_back(std::move(*r));
        }
        return out;
    }

    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Key> keys) {
        std::vector<bool> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        for (const auto& k : keys) {
            auto r = c_->contains(k);
            if (!r) return r.error();
            out.push_back(*r);
        }
        return out;
    }

    /// The raw connection, for inspection (do not use it while another thread uses the store).
    sqlite3* native_handle() const noexcept { return c_->db(); }

private:
    explicit Sqlite(std::shared_ptr<detail::sqlite::Connection> c) : c_(std::move(c)) {}
    std::shared_ptr<detail::sqlite::Connection> c_;
};

static_assert(StorageBackend<Sqlite>);

/// A verified SQLite store.
using SqliteStore = BasicStore<Sqlite>;

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_SQLITE_HPP
