// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `RedisTags`: the tag backend on a Redis server (component sealpipe::redis); it may share
// the server, database and key prefix of a `Redis` object store.

#ifndef SEALPIPE_TAGS_REDIS_HPP
#define SEALPIPE_TAGS_REDIS_HPP

#include <sealpipe/io/redis.hpp>
#include <sealpipe/tags/store.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace sealpipe::tags {

namespace detail::redis {

using io::redis::Connection;


/** KEYS[1] tag; ARGV[1] the most bytes to return. The record (at most ARGV[1] + 1 bytes of
    it, so that an oversized value is seen without being loaded), or nil when absent. */
inline constexpr std::string_view get_tag_script =
    "local v = redis.call('GETRANGE', KEYS[1], 0, tonumber(ARGV[1])) "
    "if v == '' and redis.call('EXISTS', KEYS[1]) == 0 then return false end "
    "return v";
/** KEYS[1] tag; ARGV[1] version (8 bytes, big-endian), ARGV[2] record. Stores the record
    unless a well-formed record (at least the 104-byte header) of this or a newer version is
    stored, whose version is at bytes 32..39; 1 when stored. Versions are compared byte by
    byte (Lua numbers are doubles, exact only to 2^53). */
inline constexpr std::string_view put_tag_script =
    "if redis.call('STRLEN', KEYS[1]) >= 104 then "
    "  local cur = redis.call('GETRANGE', KEYS[1], 32, 39) "
    "  for i = 1, 8 do "
    "    local a, b = string.byte(ARGV[1], i), string.byte(cur, i) "
    "    if a < b then return 0 end "
    "    if a > b then break end "
    "    if i == 8 then return 0 end "
    "  end "
    "end "
    "redis.call('SET', KEYS[1], ARGV[2]) return 1";

static_assert(tags::detail::header_bytes == 104, "put_tag_script hard-codes the record header size");

} // namespace detail::redis

/** Tag records as Redis strings `<prefix>t:<32-byte id>` (the record as is: its version is
    in it). put-if-newer is one Lua script that compares the stored version with the new one
    and sets the record, so it is atomic against every other client of the server.

    @par Caveat A command whose reply is lost with the connection is sent once more on a new
    connection; a put that had been applied then reports false (`TagStore::update`:
    `rollback_refused`), though its record is stored.
    @par Thread and process safety One connection guarded by a mutex; copies share it. Open a
    new handle in a forked child.
    @par Errors `errc::backend_unavailable` (cannot connect, connection lost, server errors),
    `errc::object_corrupt` for a stored value over `max_tag_record_bytes`. */
class RedisTags {
public:
    /** Connects to the server.
        @par Errors `errc::backend_unavailable`. */
    [[nodiscard]] static result<RedisTags> connect(io::redis::Config config) {
        // Exactly what a tag store reads: a record and a little framing.
        config.max_reply_bytes = max_tag_record_bytes + (std::size_t{64} << 10);
        auto c = std::make_shared<detail::redis::Connection>(std::move(config));
        {
            std::lock_guard lock(c->mutex);
            if (auto r = c->ensure_connected(); !r) return r.error();
        }
        return RedisTags(std::move(c));
    }

    /** Parses a `redis://[[user]:password@]host[:port][/db]` URI and connects.
        @par Errors `errc::malformed_input`, `errc::backend_unavailable`. */
    [[nodiscard]] static result<RedisTags> open(std::string_view uri) {
        auto config = io::redis::Config::from_uri(uri);
        if (!config) return config.error();
        return connect(std::move(*config));
    }

    /// The Redis key that holds the record of `id`.
    [[nodiscard]] std::string tag_key(const TagId& id) const {
        std::string s = c_->config().prefix + "t:";
        s.append(as_chars(id.view()));
        return s;
    }

    [[nodiscard]] result<std::optional<Bytes>> get_tag(const TagId& id) {
        const std::string name = tag_key(id), limit = std::to_string(max_tag_record_bytes);
        std::lock_guard lock(c_->mutex);
        auto r = c_->command({"EVAL", detail::redis::get_tag_script, "1", name, limit});
        if (!r) return r.error();
        const redisReply* reply = r->get();
        if (reply->type == REDIS_REPLY_NIL) return std::optional<Bytes>();
        if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, "get tag");
        if (reply->type != REDIS_REPLY_STRING)
            return fail(errc::backend_unavailable, "redis " + c_->where() + ": unexpected reply to get tag");
        if (reply->len > max_tag_record_bytes)
            return fail(errc::object_corrupt, "tag record larger than " + std::to_string(max_tag_record_bytes) +
                                                   " bytes");
        return std::optional<Bytes>(Bytes(reply->str, reply->str + reply->len));
    }

    [[nodiscard]] result<bool> put_tag_if_newer(const TagId& id, std::uint64_t version, ByteView record) {
        if (version > static_cast<std::uint64_t>(INT64_MAX))
            return fail(errc::invalid_argument, "tag version: over 2^63 - 1");
        std::array<char, 8> v{};
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<char>(version >> (8 * (7 - i)));
        const std::string name = tag_key(id);
        std::lock_guard lock(c_->mutex);
        auto r = c_->command({"EVAL", detail::redis::put_tag_script, "1", name, std::string_view(v.data(), v.size()),
                              as_chars(record)});
        if (!r) return r.error();
        const redisReply* reply = r->get();
        if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, "put tag");
        if (reply->type != REDIS_REPLY_INTEGER)
            return fail(errc::backend_unavailable, "redis " + c_->where() + ": unexpected reply to put tag");
        return reply->integer == 1;
    }

private:
    explicit RedisTags(std::shared_ptr<detail::redis::Connection> c) : c_(std::move(c)) {}
    std::shared_ptr<detail::redis::Connection> c_;
};

static_assert(TagBackend<RedisTags>);

} // namespace sealpipe::tags

#endif // SEALPIPE_TAGS_REDIS_HPP
