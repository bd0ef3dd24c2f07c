// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `SqliteTags`: the tag backend in a `tags` table of a SQLite database (component
// sealpipe::sqlite); it may share the file of a `Sqlite` object store.

#ifndef SEALPIPE_TAGS_SQLITE_HPP
#define SEALPIPE_TAGS_SQLITE_HPP

#include <sealpipe/io/sqlite.hpp>
#include <sealpipe/tags/store.hpp>

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sealpipe::tags {

/** Tag records in `tags(id BLOB PRIMARY KEY, version INTEGER, record BLOB)` of a WAL-mode
    database. put-if-newer is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` statement:
    atomic across connections and processes.
    @par Thread safety One connection guarded by a mutex; copies share it. */
class SqliteTags {
public:
    /** Opens (creating) the database at `path` and its `tags` table.
        @par Errors `errc::io_error`, `errc::timed_out`. */
    [[nodiscard]] static result<SqliteTags> open(const std::string& path, io::sqlite::Options options = {}) {
        auto db = io::sqlite::Database::open(path, options,
                                             "CREATE TABLE IF NOT EXISTS tags (id BLOB PRIMARY KEY NOT NULL,"
                                             " version INTEGER NOT NULL, record BLOB NOT NULL)");
        if (!db) return db.error();
        auto state = std::make_shared<State>(std::move(*db));
        auto get = state->db->prepare("SELECT record FROM tags WHERE id = ?1");
        if (!get) return get.error();
        auto put = state->db->prepare("INSERT INTO tags(id, version, record) VALUES(?1, ?2, ?3) ON CONFLICT(id) DO UPDATE"
                                      " SET version = excluded.version, record = excluded.record"
                                      " WHERE excluded.version > tags.version");
        if (!put) return put.error();
        state->get = std::move(*get);
        state->put = std::move(*put);
        return SqliteTags(std::move(state));
    }

    [[nodiscard]] result<std::optional<Bytes>> get_tag(const TagId& id) {
        std::lock_guard lock(s_->db->mutex);
        sqlite3_stmt* s = s_->get.get();
        io::sqlite::Reset reset{s};
        io::sqlite::bind_blob(s, 1, id.view());
        const int rc = sqlite3_step(s);
        if (rc == SQLITE_DONE) return std::optional<Bytes>();
        if (rc != SQLITE_ROW) return s_->db->error(rc, "get tag");
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(s, 0));
        if (size > max_tag_record_bytes)
            return fail(errc::object_corrupt, "tag record of " + std::to_string(size) + " bytes");
        const auto* p = static_cast<const Byte*>(sqlite3_column_blob(s, 0));
        return std::optional<Bytes>(Bytes(p, p + (p ? size : 0)));
    }

    [[nodiscard]] result<bool> put_tag_if_newer(const TagId& id, std::uint64_t version, ByteView record) {
        if (version > static_cast<std::uint64_t>(INT64_MAX))
            return fail(errc::invalid_argument, "tag version: over 2^63 - 1");
        std::lock_guard lock(s_->db->mutex);
        sqlite3_stmt* s = s_->put.get();
        io::sqlite::Reset reset{s};
        io::sqlite::bind_blob(s, 1, id.view());
        sqlite3_bind_int64(s, 2, static_cast<std::int64_t>(version));
        io::sqlite::bind_blob(s, 3, record);
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE) return s_->db->error(rc, "put tag");
        return s_->db->changes() > 0;
    }

private:
    struct State {
        explicit State(std::unique_ptr<io::sqlite::Database> d) : db(std::move(d)) {}
        std::unique_ptr<io::sqlite::Database> db;
        io::sqlite::Statement get, put;
    };
    explicit SqliteTags(std::shared_ptr<State> s) : s_(std::move(s)) {}
    std::shared_ptr<State> s_;
};

static_assert(TagBackend<SqliteTags>);

} // namespace sealpipe::tags

#endif // SEALPIPE_TAGS_SQLITE_HPP
