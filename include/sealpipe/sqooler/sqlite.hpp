// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `SqliteDocuments`: the provider's document store in one SQLite table.

#ifndef SEALPIPE_SQOOLER_SQLITE_HPP
#define SEALPIPE_SQOOLER_SQLITE_HPP

#include <sealpipe/io/sqlite.hpp>
#include <sealpipe/sqooler/provider.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

namespace sealpipe::sqooler {


/** The provider's documents in one SQLite table `documents(path TEXT PRIMARY KEY, body BLOB)`
    (WAL mode). `put_if_absent` is `INSERT OR IGNORE`, `put_if_unchanged` one `UPDATE … WHERE
    body = ?` and `move` one `BEGIN IMMEDIATE` transaction, so each is atomic against other
    connections and processes. Copies share
    one connection (guarded by a mutex).
    @par Errors `errc::io_error`; `errc::timed_out` when the database stays locked. */
class SqliteDocuments {
public:
    /// Opens (creating if needed) the database at `path`.
    [[nodiscard]] static result<SqliteDocuments> open(const std::string& path, io::sqlite::Options options = {}) {
        auto db = io::sqlite::Database::open(
            path, options, "CREATE TABLE IF NOT EXISTS documents (path TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID");
        if (!db) return db.error();
        return SqliteDocuments(std::shared_ptr<io::sqlite::Database>(std::move(*db)));
    }

    [[nodiscard]] result<std::optional<std::string>> get(const std::string& path) {
        std::lock_guard lock(db_->mutex);
        auto s = db_->prepare("SELECT body FROM documents WHERE path = ?1");
        if (!s) return s.error();
        io::sqlite::bind_text(s->get(), 1, path);
        const int rc = sqlite3_step(s->get());
        if (rc == SQLITE_DONE) return std::optional<std::string>();
        if (rc != SQLITE_ROW) return db_->error(rc, "get");
        return std::optional<std::string>(std::string(io::sqlite::column_bytes(s->get(), 0)));
    }

    [[nodiscard]] result<void> put(const std::string& path, std::string_view text) {
        std::lock_guard lock(db_->mutex);
        auto s = db_->prepare("INSERT OR REPLACE INTO documents (path, body) VALUES (?1, ?2)");
        if (!s) return s.error();
        io::sqlite::bind_text(s->get(), 1, path);
        io::sqlite::bind_blob(s->get(), 2, text);
        const int rc = sqlite3_step(s->get());
        if (rc != SQLITE_DONE) return db_->error(rc, "put");
        return {};
    }

    [[nodiscard]] result<bool> put_if_absent(const std::string& path, std::string_view text) {
        std::lock_guard lock(db_->mutex);
        auto s = db_->prepare("INSERT OR IGNORE INTO documents (path, body) VALUES (?1, ?2)");
        if (!s) return s.error();
        io::sqlite::bind_text(s->get(), 1, path);
        io::sqlite::bind_blob(s->get(), 2, text);
        const int rc = sqlite3_step(s->get());
        if (rc != SQLITE_DONE) return db_->error(rc, "put_if_absent");
        return db_->changes() == 1;
    }

    [[nodiscard]] result<bool> put_if_unchanged(const std::string& path, std::string_view expected,
                                                std::string_view text) {
        std::lock_guard lock(db_->mutex);
        auto s = db_->prepare("UPDATE documents SET body = ?3 WHERE path = ?1 AND body = ?2");
        if (!s) return s.error();
        io::sqlite::bind_text(s->get(), 1, path);
        io::sqlite::bind_blob(s->get(), 2, expected);
        io::sqlite::bind_blob(s->get(), 3, text);
        const int rc = sqlite3_step(s->get());
        if (rc != SQLITE_DONE) return db_->error(rc, "put_if_unchanged");
        return db_->changes() == 1;
    }

    [[nodiscard]] result<bool> move(const std::string& from, const std::string& to) {
        std::lock_guard lock(db_->mutex);
        return db_->transaction([&]() -> result<bool> {
            auto del = db_->prepare("DELETE FROM documents WHERE path = ?1 RETURNING body");
            if (!del) return del.error();
            io::sqlite::bind_text(del->get(), 1, from);
            int rc = sqlite3_step(del->get());
            if (rc == SQLITE_DONE) return false;
            if (rc != SQLITE_ROW) return db_->error(rc, "move");
            const std::string text(io::sqlite::column_bytes(del->get(), 0));
            rc = sqlite3_step(del->get());
            if (rc != SQLITE_DONE) return db_->error(rc, "move");
            auto ins = db_->prepare("INSERT OR REPLACE INTO documents (path, body) VALUES (?1, ?2)");
            if (!ins) return ins.error();
            io::sqlite::bind_text(ins->get(), 1, to);
            io::sqlite::bind_blob(ins->get(), 2, text);
            rc = sqlite3_step(ins->get());
            if (rc != SQLITE_DONE) return db_->error(rc, "move");
            return true;
        });
    }

    [[nodiscard]] result<std::vector<std::string>> list(const std::string& folder) {
        std::lock_guard lock(db_->mutex);
        // Paths in [folder + "/", folder + "0"): '0' follows '/' in byte order.
        auto s = db_->prepare("SELECT path FROM documents WHERE path >= ?1 AND path < ?2 ORDER BY path");
        if (!s) return s.error();
        const std::string lo = folder + "/";
        const std::string hi = folder + "0";
        io::sqlite::bind_text(s->get(), 1, lo);
        io::sqlite::bind_text(s->get(), 2, hi);
        std::vector<std::string> out;
        for (;;) {
            const int rc = sqlite3_step(s->get());
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return db_->error(rc, "list");
            std::string_view name = io::sqlite::column_bytes(s->get(), 0);
            name.remove_prefix(lo.size());
            if (name.find('/') == std::string_view::npos) out.emplace_back(name);
        }
        return out;
    }

private:
    explicit SqliteDocuments(std::shared_ptr<io::sqlite::Database> db) : db_(std::move(db)) {}
    std::shared_ptr<io::sqlite::Database> db_;
};

} // namespace sealpipe::sqooler

#endif // SEALPIPE_SQOOLER_SQLITE_HPP
