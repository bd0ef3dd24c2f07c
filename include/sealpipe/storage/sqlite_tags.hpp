// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `SqliteTags`: the tag backend in a `tags` table of a SQLite database (component
// sealpipe::sqlite); it may share the file of a `Sqlite` object store.

#ifndef SEALPIPE_STORAGE_SQLITE_TAGS_HPP
#define SEALPIPE_STORAGE_SQLITE_TAGS_HPP

#include <sealpipe/storage/sqlite.hpp>
#include <sealpipe/storage/tags.hpp>

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sealpipe::storage {

/** Tag records in `tags(id BLOB PRIMARY KEY, version INTEGER, record BLOB)` of a WAL-mode
    database. put-if-newer is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` statement:
    atomic across connections and processes.
    @par Thread safety One connection guarded by a mutex; copies share it. */
class SqliteTags {
public:
    /** Opens (creating) the database at `path` and its `tags` table.
        @par Errors `error::io_error`, `error::timed_out`. */
    [[nodiscard]] static result<SqliteTags> open(const std::string& path, SqliteOptions options = {}) {
        auto state = std::make_shared<State>();
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
        if (options.create) flags |= SQLITE_OPEN_CREATE;
        int rc = sqlite3_open_v2(path.c_str(), &state->db, flags, nullptr);
        if (rc != SQLITE_OK) return detail::sqlite::sqlite_error(state->db, rc, "cannot open '" + path + "'");
        sqlite3_extended_result_codes(state->db, 1);
        sqlite3_busy_timeout(state->db, static_cast<int>(options.busy_timeout.count()));
        for (const char* sql : {"PRAGMA journal_mode=WAL",
                                options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                                "CREATE TABLE IF NOT EXISTS tags (id BLOB PRIMARY KEY NOT NULL,"
                                " version INTEGER NOT NULL, record BLOB NOT NULL)"}) {
            if (auto r = state->exec(sql); !r) return std::move(r.error()).context("opening '" + path + "'");
        }
        const struct {
            detail::sqlite::Stmt* stmt;
            const char* sql;
        } statements[] = {
            {&state->get, "SELECT record FROM tags WHERE id = ?1"},
            {&state->put, "INSERT INTO tags(id, version, record) VALUES(?1, ?2, ?3) ON CONFLICT(id) DO UPDATE"
                          " SET version = excluded.version, record = excluded.record"
                          " WHERE excluded.version > tags.version"},
        };
        for (const auto& s : statements) {
            sqlite3_stmt* raw = nullptr;
            rc = sqlite3_prepare_v3(state->db, s.sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
            if (rc != SQLITE_OK) return detail::sqlite::sqlite_error(state->db, rc, "cannot prepare statement");
            s.stmt->reset(raw);
        }
        return SqliteTags(std::move(state));
    }

    [[nodiscard]] result<std::optional<Bytes>> get_tag(const TagId& id) {
        std::lock_guard lock(s_->mutex);
        sqlite3_stmt* s = s_->get.get();
        detail::sqlite::Reset reset{s};
        sqlite3_bind_blob(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) return std::optional<Bytes>();
        if (rc != SQLITE_ROW) return detail::sqlite::sqlite_error(s_->db, rc, "get tag");
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, 0));
        if (size > max_tag_record_bytes)
            return fail(error::object_corrupt, "tag record of " + std::to_string(size) + " bytes");
        const auto* p = static_cast<const Byte*>(sqlite3_column_blob(s, 0));
        return std::optional<Bytes>(Bytes(p, p + (p ? size : 0)));
    }

    [[nodiscard]] result<bool> put_tag_if_newer(const TagId& id, std::uint64_t version, ByteView record) {
        if (version > static_cast<std::uint64_t>(INT64_MAX))
            return fail(error::invalid_argument, "tag version: over 2^63 - 1");
        std::lock_guard lock(s_->mutex);
        sqlite3_stmt* s = s_->put.get();
        detail::sqlite::Reset reset{s};
        sqlite3_bind_blob(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, static_cast<std::int64_t>(version));
        sqlite3_bind_blob64(s, 3, record.data(), record.size(), SQLITE_STATIC);
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return detail::sqlite::sqlite_error(s_->db, rc, "put tag");
        return sqlite3_changes(s_->db) > 0;
    }

private:
    struct State {
        ~State() {
            get.reset();
            put.reset();
            if (db) sqlite3_close_v2(db);
        }
        [[nodiscard]] result<void> exec(const char* sql) {
            sqlite3_stmt* raw = nullptr;
            int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
            if (rc != SQLITE_OK) return detail::sqlite::sqlite_error(db, rc, sql);
            detail::sqlite::Stmt s(raw);
            while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {}
            if (rc != SQLITE_DONE) return detail::sqlite::sqlite_error(db, rc, sql);
            return {};
        }
        std::mutex mutex;
        sqlite3* db = nullptr;
        detail::sqlite::Stmt get, put;
    };
    explicit SqliteTags(std::shared_ptr<State> s) : s_(std::move(s)) {}
    std::shared_ptr<State> s_;
};

static_assert(TagBackend<SqliteTags>);

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_SQLITE_TAGS_HPP
