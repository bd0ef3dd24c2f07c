// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `SqliteDocuments`: the provider's document store in one SQLite table.

#ifndef SEALPIPE_JOSE_PROVIDER_SQLITE_HPP
#define SEALPIPE_JOSE_PROVIDER_SQLITE_HPP

#include <sealpipe/jose/provider.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

namespace sealpipe::jose {

namespace detail::provider_sqlite {

[[nodiscard]] inline Error sqlite_failure(sqlite3* db, int rc, std::string_view what) {
    const error e = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? error::timed_out : error::io_error;
    return fail(e, "sqlite: " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

class Database {
public:
    Database() = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database() {
        if (db_) sqlite3_close_v2(db_);
    }

    [[nodiscard]] result<void> open(const std::string& path) {
        const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                       nullptr);
        if (rc != SQLITE_OK) return sqlite_failure(db_, rc, "cannot open '" + path + "'");
        sqlite3_busy_timeout(db_, 10000);
        return exec("PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS documents "
                    "(path TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID");
    }

    [[nodiscard]] result<void> exec(const char* sql) {
        char* msg = nullptr;
        const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
        if (rc != SQLITE_OK) {
            const std::string m = msg ? msg : sqlite3_errstr(rc);
            sqlite3_free(msg);
            return fail((rc & 0xff) == SQLITE_BUSY ? error::timed_out : error::io_error, "sqlite: " + m);
        }
        return {};
    }

    [[nodiscard]] result<Stmt> prepare(const char* sql) {
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr);
        if (rc != SQLITE_OK) return sqlite_failure(db_, rc, "prepare");
        return Stmt(raw);
    }

    sqlite3* get() const noexcept { return db_; }
    std::mutex mutex;

private:
    sqlite3* db_ = nullptr;
};

inline void bind_text(sqlite3_stmt* s, int i, std::string_view t) {
    sqlite3_bind_text(s, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
}
inline void bind_blob(sqlite3_stmt* s, int i, std::string_view t) {
    sqlite3_bind_blob(s, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
}

} // namespace detail::provider_sqlite

/** The provider's documents in one SQLite table `documents(path TEXT PRIMARY KEY, body BLOB)`
    (WAL mode). `put_if_absent` is `INSERT OR IGNORE` and `move` one `BEGIN IMMEDIATE`
    transaction, so both are atomic against other connections and processes. Copies share
    one connection (guarded by a mutex).
    @par Errors `error::io_error`; `error::timed_out` when the database stays locked. */
class SqliteDocuments {
public:
    /// Opens (creating if needed) the database at `path`.
    [[nodiscard]] static result<SqliteDocuments> open(const std::string& path) {
        auto db = std::make_shared<detail::provider_sqlite::Database>();
        if (auto r = db->open(path); !r) return r.error();
        return SqliteDocuments(std::move(db));
    }

    [[nodiscard]] result<std::optional<std::string>> get(const std::string& path) {
        std::lock_guard lock(db_->mutex);
        auto s = db_->prepare("SELECT body FROM documents WHERE path = ?1");
        if (!s) return s.error();
        detail::provider_sqlite::bind_text(s->get(), 1, path);
        const int rc = sqlite3_step(s->get());
        if (rc == SQLITE_DONE) return std::optional<std::string>();
        if (rc != SQLITE_ROW) return detail::provider_sqlite::sqlite_failure(db_->get(), rc, "get");
        const auto* p = static_cast<const char*>(sqlite3_column_blob(s->get(), 0));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s->get(), 0));
        return std::optional<std::string>(std::string(p ? p : "", n));
    }

    [[nodiscard]] result<void> put(const std::string& path, std::string_view text) {
        std::lock_guard lock(db_->mutex);
        auto s = db_->prepare("INSERT OR REPLACE INTO documents (path, body) VALUES (?1, ?2)");
        if (!s) return s.error();
        detail::provider_sqlite::bind_text(s->get(), 1, path);
        detail::provider_sqlite::bind_blob(s->get(), 2, text);
        const int rc = sqlite3_step(s->get());
        if (rc != SQLITE_DONE) return detail::provider_sqlite::sqlite_failure(db_->get(), rc, "put");
        return {};
    }

    [[nodiscard]] result<bool> put_if_absent(const std::string& path, std::string_view text) {
        std::lock_guard lock(db_->mutex);
        auto s = db_->prepare("INSERT OR IGNORE INTO documents (path, body) VALUES (?1, ?2)");
        if (!s) return s.error();
        detail::provider_sqlite::bind_text(s->get(), 1, path);
        detail::provider_sqlite::bind_blob(s->get(), 2, text);
        const int rc = sqlite3_step(s->get());
        if (rc != SQLITE_DONE) return detail::provider_sqlite::sqlite_failure(db_->get(), rc, "put_if_absent");
        return sqlite3_changes(db_->get()) == 1;
    }

    [[nodiscard]] result<bool> move(const std::string& from, const std::string& to) {
        std::lock_guard lock(db_->mutex);
        if (auto r = db_->exec("BEGIN IMMEDIATE"); !r) return r.error();
        auto body = [&]() -> result<bool> {
            auto del = db_->prepare("DELETE FROM documents WHERE path = ?1 RETURNING body");
            if (!del) return del.error();
            detail::provider_sqlite::bind_text(del->get(), 1, from);
            int rc = sqlite3_step(del->get());
            if (rc == SQLITE_DONE) return false;
            if (rc != SQLITE_ROW) return detail::provider_sqlite::sqlite_failure(db_->get(), rc, "move");
            const auto* p = static_cast<const char*>(sqlite3_column_blob(del->get(), 0));
            const std::string text(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(del->get(), 0)));
            rc = sqlite3_step(del->get());
            if (rc != SQLITE_DONE) return detail::provider_sqlite::sqlite_failure(db_->get(), rc, "move");
            auto ins = db_->prepare("INSERT OR REPLACE INTO documents (path, body) VALUES (?1, ?2)");
            if (!ins) return ins.error();
            detail::provider_sqlite::bind_text(ins->get(), 1, to);
            detail::provider_sqlite::bind_blob(ins->get(), 2, text);
            rc = sqlite3_step(ins->get());
            if (rc != SQLITE_DONE) return detail::provider_sqlite::sqlite_failure(db_->get(), rc, "move");
            return true;
        }();
        if (!body || !*body) {
            (void)db_->exec("ROLLBACK");
            return body;
        }
        if (auto r = db_->exec("COMMIT"); !r) {
            (void)db_->exec("ROLLBACK");
            return r.error();
        }
        return true;
    }

    [[nodiscard]] result<std::vector<std::string>> list(const std::string& folder) {
        std::lock_guard lock(db_->mutex);
        // Paths in [folder + "/", folder + "0"): '0' follows '/' in byte order.
        auto s = db_->prepare("SELECT path FROM documents WHERE path >= ?1 AND path < ?2 ORDER BY path");
        if (!s) return s.error();
        const std::string lo = folder + "/";
        const std::string hi = folder + "0";
        detail::provider_sqlite::bind_text(s->get(), 1, lo);
        detail::provider_sqlite::bind_text(s->get(), 2, hi);
        std::vector<std::string> out;
        for (;;) {
            const int rc = sqlite3_step(s->get());
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return detail::provider_sqlite::sqlite_failure(db_->get(), rc, "list");
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s->get(), 0));
            std::string_view name(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s->get(), 0)));
            name.remove_prefix(lo.size());
            if (name.find('/') == std::string_view::npos) out.emplace_back(name);
        }
        return out;
    }

private:
    explicit SqliteDocuments(std::shared_ptr<detail::provider_sqlite::Database> db) : db_(std::move(db)) {}
    std::shared_ptr<detail::provider_sqlite::Database> db_;
};

} // namespace sealpipe::jose

#endif // SEALPIPE_JOSE_PROVIDER_SQLITE_HPP
