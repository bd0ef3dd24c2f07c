// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Redis`: a storage backend on a Redis server through hiredis, with pipelined batches and
// `redis://` URIs (component sealpipe::redis).

#ifndef SEALPIPE_STORAGE_REDIS_HPP
#define SEALPIPE_STORAGE_REDIS_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>
#include <sealpipe/io/redis.hpp>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sys/time.h>

namespace sealpipe::storage {

/// Where and how `Redis` connects (`redis://` URIs: `RedisConfig::from_uri`).
using RedisConfig = io::redis::Config;

namespace detail::redis {

using io::redis::Command;
using io::redis::Connection;
using io::redis::Reply;

/// Bytes of the write time at the front of every stored value.
inline constexpr std::size_t time_bytes = 8;
using TimeBytes = std::array<char, time_bytes>;

/// A write time as stored: microseconds since the epoch, unsigned 64-bit big-endian (times
/// before the epoch are stored as 0), so that byte order is time order.
inline TimeBytes encode_time(WriteTime t) noexcept {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    std::uint64_t v = us > 0 ? static_cast<std::uint64_t>(us) : 0;
    TimeBytes out{};
    for (std::size_t i = time_bytes; i-- > 0; v >>= 8) out[i] = static_cast<char>(v & 0xff);
    return out;
}

/// The write time stored in the first 8 bytes at `p` (clamped to what `WriteTime` holds).
inline WriteTime decode_time(const char* p) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < time_bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    constexpr auto max_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(WriteClock::duration::max()).count());
    const auto us = static_cast<std::int64_t>(std::min(v, max_us));
    return WriteTime(std::chrono::duration_cast<WriteClock::duration>(std::chrono::microseconds(us)));
}

// The scripts compare 8-byte big-endian numbers byte by byte: Lua numbers are doubles (exact
// only to 2^53) and Lua string comparison follows the server's collation locale.

/// KEYS[1] object; ARGV[1] write time. Sets the time of a stored object; 1 when stored.
inline constexpr std::string_view touch_script =
    "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('SETRANGE', KEYS[1], 0, ARGV[1]) return 1 end "
    "return 0";
/** KEYS[1] object; ARGV[1] cutoff time. Deletes the object when its time is before the cutoff
    (a value too short to hold a time counts as written at the epoch); 1 when deleted. */
inline constexpr std::string_view remove_if_script =
    "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
    "local t = redis.call('GETRANGE', KEYS[1], 0, 7) "
    "if #t < 8 then t = string.rep('\\0', 8) end "
    "for i = 1, 8 do "
    "  local a, b = string.byte(t, i), string.byte(ARGV[1], i) "
    "  if a > b then return 0 end "
    "  if a < b then break end "
    "  if i == 8 then return 0 end "
    "end "
    "redis.call('DEL', KEYS[1]) return 1";
/** KEYS: objects. The write time of each: 8 bytes, the epoch for a value too short to hold
    one, and empty for a key that is gone or is not a string. */
inline constexpr std::string_view times_script =
    "local out = {} "
    "for i, k in ipairs(KEYS) do "
    "  local t = redis.pcall('GETRANGE', k, 0, 7) "
    "  if type(t) ~= 'string' or (#t == 0 and redis.call('EXISTS', k) == 0) then t = '' "
    "  elseif #t < 8 then t = string.rep('\\0', 8) end "
    "  out[i] = t "
    "end "
    "return out";

using io::redis::append_argument;
using io::redis::append_bulk_header;
using io::redis::append_command;
using io::redis::escape_glob;

} // namespace detail::redis

/** Objects as Redis strings: the object with key K is the string `<prefix>o:K` (K as its 40 raw
    bytes) whose value is its write time (microseconds since the epoch, 8 bytes, unsigned
    big-endian) followed by the object's bytes. Nothing else is stored: no index.

    A put is one plain `SET` (a batch: one pipeline of them), so it is atomic on the server and
    a put of a stored object simply writes it again with the new time. `get` is `GET` without
    the 8 bytes, `contains` is `EXISTS`, `remove` is `DEL`, `enumerate` is `SCAN MATCH
    <prefix>o:*` with the times of each page read by one script. `touch` and
    `remove_if_written_before` are small Lua scripts, each atomic: the latter deletes only when
    the time in the value is still before the cutoff, so a put that lands first is never undone.

    @par Guarantees Each put, touch and removal is atomic on the server. Batches are pipelined
    (one round trip) but not transactional: after a failure some of a batch may be stored,
    each object whole. Durability is the server's (AOF/RDB settings); a server that restarts
    without persistence loses every object, which reads then report as
    `errc::object_not_found`, never as data. A value too short to hold a write time (written
    by something else) reads as `errc::object_corrupt`.
    @par Thread and process safety One connection guarded by a mutex; copies share it. Open
    one handle per thread for parallel requests, and a new one in a forked child.
    @par Errors `errc::backend_unavailable` when the server cannot be reached, closes the
    connection, or answers with an error (the message says which); `errc::size_limit_exceeded`
    for a reply larger than `max_reply_bytes` (refused as it arrives); a broken connection is
    reconnected on the next operation (and each operation is retried once on a fresh
    connection). */
class Redis {
public:
    /// Bytes of the write time in front of each stored object.
    static constexpr std::size_t time_bytes = detail::redis::time_bytes;
    /// The largest reply read from the server (`RedisConfig::max_reply_bytes` is set to it):
    /// an object, its time and 64 KiB. A larger reply is refused while it is read.
    static constexpr std::size_t max_reply_bytes = max_object_bytes + time_bytes + (std::size_t{64} << 10);

    /** Connects to the server.
        @par Errors `errc::backend_unavailable`. */
    [[nodiscard]] static result<Redis> connect(RedisConfig config) {
        // Exactly what a store reads: every object it accepted must read back, and no reply
        // is larger than one object with its time and a little framing.
        config.max_reply_bytes = max_reply_bytes;
        auto c = std::make_shared<detail::redis::Connection>(std::move(config));
        {
            std::lock_guard lock(c->mutex);
            if (auto r = c->ensure_connected(); !r) return r.error();
        }
        return Redis(std::move(c));
    }

    /** Parses a `redis://[[user]:password@]host[:port][/db]` URI and connects.
        @par Errors `errc::malformed_input`, `errc::backend_unavailable`. */
    [[nodiscard]] static result<Redis> open(std::string_view uri) {
        auto config = RedisConfig::from_uri(uri);
        if (!config) return config.error();
        return connect(std::move(*config));
    }

    [[nodiscard]] result<void> put(const Reference& k, ByteView data) {
        const PutItem item{k, data};
        return put_many(std::span(&item, 1));
    }

    [[nodiscard]] result<Bytes> get(const Reference& k) {
        auto r = get_many(std::span(&k, 1));
        if (!r) return r.error();
        auto& slot = r->front();
        if (!slot) return detail::not_found(k);
        return std::move(*slot);
    }

    [[nodiscard]] result<bool> contains(const Reference& k) {
        auto r = contains_many(std::span(&k, 1));
        if (!r) return r.error();
        return bool(r->front());
    }

    [[nodiscard]] result<bool> touch(const Reference& k) {
        const auto now = detail::redis::encode_time(WriteClock::now());
        return script(detail::redis::touch_script, k, std::string_view(now.data(), now.size()), "touch");
    }

    [[nodiscard]] result<bool> remove(const Reference& k) {
        const std::string name = object_key(k);
        std::lock_guard lock(c_->mutex);
        auto r = c_->command({"DEL", name});
        if (!r) return r.error();
        return integer_reply(r->get(), "remove");
    }

    [[nodiscard]] result<bool> remove_if_written_before(const Reference& k, WriteTime cutoff) {
        const auto t = detail::redis::encode_time(cutoff);
        return script(detail::redis::remove_if_script, k, std::string_view(t.data(), t.size()), "remove");
    }

    /// `remove_if_written_before` of each key: one pipeline of the script (one round trip for
    /// the batch, each removal still atomic on its own). Returns how many were removed.
    [[nodiscard]] result<std::size_t> remove_many_if_written_before(std::span<const Reference> keys,
                                                                    WriteTime cutoff) {
        const auto t = detail::redis::encode_time(cutoff);
        const std::string_view time(t.data(), t.size());
        const std::string& prefix = c_->config().prefix;
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(keys.size(), [&](std::size_t i, std::string& out) {
            out += "*5\r\n$4\r\nEVAL\r\n";
            detail::redis::append_argument(out, {detail::redis::remove_if_script});
            out += "$1\r\n1\r\n";
            detail::redis::append_argument(out, {prefix, "o:", as_chars(keys[i].bytes())});
            detail::redis::append_argument(out, {time});
        });
        if (!r) return r.error();
        std::size_t removed = 0;
        for (const auto& reply : *r) {
            auto one = integer_reply(reply.get(), "remove");
            if (!one) return one.error();
            removed += *one ? 1 : 0;
        }
        return removed;
    }

    /// Scans the keys `<prefix>o:*` with SCAN (an object may be reported twice if the key
    /// space is rehashed during the scan; none that exists throughout is missed). A value too
    /// short to hold a write time is reported as written at the epoch.
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) {
        std::string cursor = "0";
        const std::string infix = c_->config().prefix + "o:";
        const std::string pattern = detail::redis::escape_glob(infix) + "*";
        do {
            std::vector<ObjectInfo> page;
            {
                std::lock_guard lock(c_->mutex);
                auto r = c_->command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
                if (!r) return r.error();
                const redisReply* reply = r->get();
                if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, "enumerate");
                if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
                    reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_ARRAY)
                    return unexpected("SCAN");
                cursor.assign(reply->element[0]->str, reply->element[0]->len);
                const redisReply* names = reply->element[1];
                detail::redis::Command times{"EVAL", detail::redis::times_script, ""};
                std::vector<Reference> keys;
                for (std::size_t i = 0; i < names->elements; ++i) {
                    const redisReply* n = names->element[i];
                    if (n->type != REDIS_REPLY_STRING) continue;
                    const std::string_view name(n->str, n->len);
                    if (name.size() != infix.size() + Reference::size_bytes || !name.starts_with(infix)) continue;
                    auto ref = Reference::from_bytes(as_bytes(name.substr(infix.size())));
                    if (!ref) continue; // no object can have this name: not written by a store
                    keys.push_back(*ref);
                    times.push_back(name);
                }
                if (keys.empty()) continue;
                const std::string numkeys = std::to_string(keys.size());
                times[2] = numkeys;
                auto t = c_->command(times);
                if (!t) return t.error();
                const redisReply* tr = t->get();
                if (tr->type == REDIS_REPLY_ERROR) return c_->reply_error(tr, "enumerate");
                if (tr->type != REDIS_REPLY_ARRAY || tr->elements != keys.size()) return unexpected("enumerate");
                for (std::size_t i = 0; i < keys.size(); ++i) {
                    const redisReply* e = tr->element[i];
                    if (e->type != REDIS_REPLY_STRING) return unexpected("enumerate");
                    if (e->len == 0) continue; // removed since the SCAN, or not an object
                    if (e->len != time_bytes) return unexpected("enumerate");
                    page.push_back({keys[i], detail::redis::decode_time(e->str)});
                }
            }
            for (const auto& info : page)
                if (!visit(info)) return {};
        } while (cursor != "0");
        return {};
    }

    /// One pipeline of `SET <prefix>o:K <time><data>` (one round trip; no copy of the data
    /// beyond hiredis' output buffer).
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        const auto now = detail::redis::encode_time(WriteClock::now());
        const std::string_view time(now.data(), now.size());
        const std::string& prefix = c_->config().prefix;
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(items.size(), [&](std::size_t i, std::string& out) {
            out.reserve(items[i].data.size() + prefix.size() + 96);
            out += "*3\r\n$3\r\nSET\r\n";
            detail::redis::append_argument(out, {prefix, "o:", as_chars(items[i].reference.bytes())});
            detail::redis::append_argument(out, {time, as_chars(items[i].data)});
        });
        if (!r) return r.error();
        for (const auto& reply : *r) {
            if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply.get(), "put");
            if (reply->type != REDIS_REPLY_STATUS) return unexpected("SET");
        }
        return {};
    }

    /// One pipeline of GETs.
    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> keys) {
        const std::string& prefix = c_->config().prefix;
        std::vector<std::optional<Bytes>> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(keys.size(), [&](std::size_t i, std::string& cmd) {
            cmd += "*2\r\n$3\r\nGET\r\n";
            detail::redis::append_argument(cmd, {prefix, "o:", as_chars(keys[i].bytes())});
        });
        if (!r) return r.error();
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const redisReply* reply = (*r)[i].get();
            if (reply->type == REDIS_REPLY_NIL) {
                out.emplace_back();
            } else if (reply->type == REDIS_REPLY_STRING) {
                if (reply->len < time_bytes)
                    return fail(errc::object_corrupt, "object " + keys[i].to_hex() + ": stored value of " +
                                                           std::to_string(reply->len) + " bytes, too short for its " +
                                                           std::to_string(time_bytes) + "-byte write time");
                if (reply->len - time_bytes > max_object_bytes)
                    return detail::oversized(keys[i], reply->len - time_bytes);
                out.emplace_back(Bytes(reply->str + time_bytes, reply->str + reply->len));
            } else if (reply->type == REDIS_REPLY_ERROR) {
                return c_->reply_error(reply, "get");
            } else {
                return unexpected("GET");
            }
        }
        return out;
    }

    /// One pipeline of EXISTS.
    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> keys) {
        const std::string& prefix = c_->config().prefix;
        std::vector<bool> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(keys.size(), [&](std::size_t i, std::string& cmd) {
            cmd += "*2\r\n$6\r\nEXISTS\r\n";
            detail::redis::append_argument(cmd, {prefix, "o:", as_chars(keys[i].bytes())});
        });
        if (!r) return r.error();
        for (const auto& reply : *r) {
            if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply.get(), "contains");
            if (reply->type != REDIS_REPLY_INTEGER) return unexpected("EXISTS");
            out.push_back(reply->integer == 1);
        }
        return out;
    }

    /// The Redis key that holds `k` (its write time, then its bytes).
    [[nodiscard]] std::string object_key(const Reference& k) const {
        std::string s = c_->config().prefix + "o:";
        s.append(as_chars(k.bytes()));
        return s;
    }

private:
    explicit Redis(std::shared_ptr<detail::redis::Connection> c) : c_(std::move(c)) {}

    [[nodiscard]] Error unexpected(std::string_view what) const {
        return fail(errc::backend_unavailable, "redis " + c_->where() + ": unexpected reply to " + std::string(what));
    }

    [[nodiscard]] result<bool> integer_reply(const redisReply* reply, std::string_view what) const {
        if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, what);
        if (reply->type != REDIS_REPLY_INTEGER) return unexpected(what);
        return reply->integer > 0;
    }

    /// Runs a one-key script on the object `k` with one argument.
    [[nodiscard]] result<bool> script(std::string_view body, const Reference& k, std::string_view arg, std::string_view what) {
        const std::string name = object_key(k);
        std::lock_guard lock(c_->mutex);
        auto r = c_->command({"EVAL", body, "1", name, arg});
        if (!r) return r.error();
        return integer_reply(r->get(), what);
    }

    std::shared_ptr<detail::redis::Connection> c_;
};

static_assert(StorageBackend<Redis>);

/// A verified Redis store.
using RedisStore = BasicStore<Redis>;

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_REDIS_HPP
