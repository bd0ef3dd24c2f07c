// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Sqlite`: the embedded default storage backend, one table in a WAL-mode database file
// (component sealpipe::sqlite).

#ifndef SEALPIPE_STORAGE_SQLITE_HPP
#define SEALPIPE_STORAGE_SQLITE_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>
#include <sealpipe/io/sqlite.hpp>

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

/// How `Sqlite::open` behaves (busy timeout, durability, whether to create the file).
using SqliteOptions = io::sqlite::Options;

namespace detail::sqlite {

using io::sqlite::Reset;
using io::sqlite::Statement;

/// Microseconds since the Unix epoch: the `written` column.
inline std::int64_t to_micros(WriteTime t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
inline WriteTime from_micros(std::int64_t us) noexcept {
    return WriteTime(std::chrono::duration_cast<WriteClock::duration>(std::chrono::microseconds(us)));
}

inline constexpr std::string_view schema =
    "CREATE TABLE IF NOT EXISTS objects ("
    " key BLOB PRIMARY KEY NOT NULL,"   // the 40-byte reference
    " written INTEGER NOT NULL,"        // microseconds since the epoch of the last put
    " data BLOB NOT NULL)";

/// The object table's prepared statements on one connection (`db->mutex` serialises their use).
class Connection {
public:
    [[nodiscard]] static result<std::shared_ptr<Connection>> open(const std::string& path, const SqliteOptions& o) {
        auto db = io::sqlite::Database::open(path, o, schema);
        if (!db) return db.error();
        auto c = std::shared_ptr<Connection>(new Connection(std::move(*db)));
        struct {
            Statement* stmt;
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
        };
        for (const auto& s : statements) {
            auto st = c->db_->prepare(s.sql);
            if (!st) return st.error();
            *s.stmt = std::move(*st);
        }
        return c;
    }

    std::mutex& mutex() noexcept { return db_->mutex; }
    sqlite3* db() const noexcept { return db_->handle(); }

    // Each function below expects `mutex` to be held.

    [[nodiscard]] result<void> put(const Reference& k, ByteView data, std::int64_t now) {
        sqlite3_stmt* s = put_.get();
        Reset reset{s};
        io::sqlite::bind_blob(s, 1, k.bytes());
        sqlite3_bind_int64(s, 2, now);
        io::sqlite::bind_blob(s, 3, data);
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return db_->error(rc, "put");
        return {};
    }

    /// The object, nullopt when absent.
    [[nodiscard]] result<std::optional<Bytes>> get(const Reference& k) {
        sqlite3_stmt* s = get_.get();
        Reset reset{s};
        io::sqlite::bind_blob(s, 1, k.bytes());
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) return std::optional<Bytes>();
        if (rc != SQLITE_ROW) return db_->error(rc, "get");
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, 0));
        if (size > max_object_bytes) return detail::oversized(k, size);
        const auto* p = static_cast<const Byte*>(sqlite3_column_blob(s, 0));
        return std::optional<Bytes>(Bytes(p, p + (p ? size : 0)));
    }

    [[nodiscard]] result<bool> contains(const Reference& k) {
        sqlite3_stmt* s = contains_.get();
        Reset reset{s};
        io::sqlite::bind_blob(s, 1, k.bytes());
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        return db_->error(rc, "contains");
    }

    /// Runs a statement binding key (and time); returns whether a row changed.
    [[nodiscard]] result<bool> change(sqlite3_stmt* s, const Reference& k, std::optional<std::int64_t> t,
                                      std::string_view what) {
        Reset reset{s};
        io::sqlite::bind_blob(s, 1, k.bytes());
        if (t) sqlite3_bind_int64(s, 2, *t);
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return db_->error(rc, what);
        return db_->changes() > 0;
    }

    /// Runs `body` in a write transaction (see `io::sqlite::Database::transaction`).
    template <class F>
    [[nodiscard]] auto transaction(F&& body) -> decltype(body()) {
        return db_->transaction(std::forward<F>(body));
    }

    Statement put_, get_, contains_, touch_, remove_, remove_if_, page_;

private:
    explicit Connection(std::unique_ptr<io::sqlite::Database> db) : db_(std::move(db)) {}
    std::unique_ptr<io::sqlite::Database> db_;
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
    @par Errors `errc::io_error` (cannot open, disk full, read-only, I/O), `errc::timed_out`
    (the write lock stayed busy for `busy_timeout`). */
class Sqlite {
public:
    /** Opens (by default creating) the database file at `path`.
        @par Errors `errc::io_error`, `errc::timed_out`. */
    [[nodiscard]] static result<Sqlite> open(const std::string& path, SqliteOptions options = {}) {
        auto c = detail::sqlite::Connection::open(path, options);
        if (!c) return c.error();
        return Sqlite(std::move(*c));
    }

    [[nodiscard]] result<void> put(const Reference& k, ByteView data) {
        const auto now = detail::sqlite::to_micros(WriteClock::now());
        std::lock_guard lock(c_->mutex());
        return c_->put(k, data, now);
    }

    [[nodiscard]] result<Bytes> get(const Reference& k) {
        std::lock_guard lock(c_->mutex());
        auto r = c_->get(k);
        if (!r) return r.error();
        if (!*r) return detail::not_found(k);
        return std::move(**r);
    }

    [[nodiscard]] result<bool> contains(const Reference& k) {
        std::lock_guard lock(c_->mutex());
        return c_->contains(k);
    }

    [[nodiscard]] result<bool> touch(const Reference& k) {
        const auto now = detail::sqlite::to_micros(WriteClock::now());
        std::lock_guard lock(c_->mutex());
        return c_->change(c_->touch_.get(), k, now, "touch");
    }

    [[nodiscard]] result<bool> remove(const Reference& k) {
        std::lock_guard lock(c_->mutex());
        return c_->change(c_->remove_.get(), k, std::nullopt, "remove");
    }

    /// One DELETE with the time in its WHERE clause: atomic against concurrent puts.
    [[nodiscard]] result<bool> remove_if_written_before(const Reference& k, WriteTime cutoff) {
        std::lock_guard lock(c_->mutex());
        return c_->change(c_->remove_if_.get(), k, detail::sqlite::to_micros(cutoff), "remove");
    }

    /** `remove_if_written_before` of each key, in one transaction: a collection then pays one
        commit (one sync of the log) per batch instead of one per deleted object. Returns how
        many were removed. */
    [[nodiscard]] result<std::size_t> remove_many_if_written_before(std::span<const Reference> keys,
                                                                    WriteTime cutoff) {
        const auto t = detail::sqlite::to_micros(cutoff);
        std::lock_guard lock(c_->mutex());
        std::size_t removed = 0;
        auto r = c_->transaction([&]() -> result<void> {
            for (const auto& k : keys) {
                auto one = c_->change(c_->remove_if_.get(), k, t, "remove");
                if (!one) return one.error();
                removed += *one ? 1 : 0;
            }
            return {};
        });
        if (!r) return r.error();
        return removed;
    }

    /// Visits keys in order, a page at a time; no lock or transaction is held while visiting.
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) {
        constexpr int page_rows = 512;
        Reference::raw_type after{}; // the last row seen; the blob comparison starts strictly after it
        bool first = true;
        while (true) {
            std::vector<ObjectInfo> page;
            int rows = 0;
            {
                std::lock_guard lock(c_->mutex());
                sqlite3_stmt* s = c_->page_.get();
                detail::sqlite::Reset reset{s};
                if (first) sqlite3_bind_zeroblob(s, 1, 0); // '' sorts before every key
                else sqlite3_bind_blob(s, 1, after.data(), static_cast<int>(after.size()), SQLITE_STATIC);
                sqlite3_bind_int(s, 2, page_rows);
                int rc;
                while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                    ++rows;
                    const auto* p = static_cast<const Byte*>(sqlite3_column_blob(s, 0));
                    const int n = sqlite3_column_bytes(s, 0);
                    if (!p || n != static_cast<int>(Reference::size_bytes)) continue; // not an object row
                    std::copy(p, p + n, after.begin());
                    auto ref = Reference::from_bytes(ByteView(p, static_cast<std::size_t>(n)));
                    if (!ref) continue; // no object can have this name: not written by a store
                    page.push_back({*ref, detail::sqlite::from_micros(sqlite3_column_int64(s, 1))});
                }
                if (rc != SQLITE_DONE) return io::sqlite::error_from(c_->db(), rc, "enumerate");
            }
            first = false;
            for (const auto& info : page)
                if (!visit(info)) return {};
            if (rows < page_rows) return {};
        }
    }

    /// The whole batch in one transaction: all stored or none.
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        const auto now = detail::sqlite::to_micros(WriteClock::now());
        std::lock_guard lock(c_->mutex());
        return c_->transaction([&]() -> result<void> {
            for (const auto& it : items)
                if (auto r = c_->put(it.reference, it.data, now); !r) return r;
            return {};
        });
    }

    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> keys) {
        std::vector<std::optional<Bytes>> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex());
        for (const auto& k : keys) {
            auto r = c_->get(k);
            if (!r) return r.error();
            out.push_back(std::move(*r));
        }
        return out;
    }

    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> keys) {
        std::vector<bool> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex());
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
