// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Redis`: a storage backend on a Redis server through hiredis, with pipelined batches and
// `redis://` URIs (component sealpipe::redis).

#ifndef SEALPIPE_STORAGE_REDIS_HPP
#define SEALPIPE_STORAGE_REDIS_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>

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

/// Where and how `Redis` connects.
struct RedisConfig {
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    std::string user;      ///< for `AUTH user password` (Redis 6 ACLs); empty for plain AUTH
    std::string password;  ///< empty: no AUTH
    std::string prefix = "sealpipe:"; ///< every key the store uses starts with it
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds command_timeout{10000};

    /** Parses `redis://[[user]:password@]host[:port][/db]`.
        @par Errors `error::malformed_input` naming the part that is wrong. */
    [[nodiscard]] static result<RedisConfig> from_uri(std::string_view uri) {
        constexpr std::string_view scheme = "redis://";
        if (!uri.starts_with(scheme))
            return fail(error::malformed_input, "redis URI: expected 'redis://HOST[:PORT][/DB]', got '" +
                                                    std::string(uri) + "'");
        RedisConfig c;
        std::string_view rest = uri.substr(scheme.size());
        if (auto at = rest.rfind('@'); at != std::string_view::npos) {
            std::string_view cred = rest.substr(0, at);
            rest = rest.substr(at + 1);
            const auto colon = cred.find(':');
            if (colon == std::string_view::npos)
                return fail(error::malformed_input, "redis URI: credentials must be ':PASSWORD' or 'USER:PASSWORD'");
            c.user = std::string(cred.substr(0, colon));
            c.password = std::string(cred.substr(colon + 1));
        }
        std::string_view hostport = rest;
        if (auto slash = rest.find('/'); slash != std::string_view::npos) {
            hostport = rest.substr(0, slash);
            std::string_view db = rest.substr(slash + 1);
            if (!db.empty()) {
                auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), c.db);
                if (ec != std::errc{} || p != db.data() + db.size() || c.db < 0)
                    return fail(error::malformed_input, "redis URI: database '" + std::string(db) +
                                                            "' is not a non-negative integer");
            }
        }
        if (auto colon = hostport.rfind(':'); colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
            std::string_view port = hostport.substr(colon + 1);
            auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), c.port);
            if (ec != std::errc{} || p != port.data() + port.size() || c.port < 1 || c.port > 65535)
                return fail(error::malformed_input, "redis URI: port '" + std::string(port) + "' is not in 1..65535");
            hostport = hostport.substr(0, colon);
        }
        if (hostport.empty()) return fail(error::malformed_input, "redis URI: missing host");
        c.host = std::string(hostport);
        return c;
    }
};

namespace detail::redis {

struct ReplyDeleter {
    void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

/// A command as binary-safe arguments (views into storage that outlives the call).
using Command = std::vector<std::string_view>;

inline timeval to_timeval(std::chrono::milliseconds ms) noexcept {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

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
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::duration::max()).count());
    const auto us = static_cast<std::int64_t>(std::min(v, max_us));
    return WriteTime(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(us)));
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

/// RESP: appends the header of a bulk string of `n` bytes.
inline void append_bulk_header(std::string& out, std::size_t n) {
    out += '$';
    out += std::to_string(n);
    out += "\r\n";
}

/// RESP: appends one argument made of the concatenation of `parts`.
inline void append_argument(std::string& out, std::initializer_list<std::string_view> parts) {
    std::size_t n = 0;
    for (auto p : parts) n += p.size();
    append_bulk_header(out, n);
    for (auto p : parts) out.append(p);
    out += "\r\n";
}

/// RESP: appends a whole command.
inline void append_command(std::string& out, const Command& c) {
    out += '*';
    out += std::to_string(c.size());
    out += "\r\n";
    for (auto a : c) append_argument(out, {a});
}

/// `s` with the glob characters of SCAN MATCH escaped, so that it matches only itself.
inline std::string escape_glob(std::string_view s) {
    std::string out;
    for (char ch : s) {
        if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') out += '\\';
        out += ch;
    }
    return out;
}

/// One connection, reconnected on demand, guarded by a mutex.
class Connection {
public:
    explicit Connection(RedisConfig c) : config_(std::move(c)) {}

    std::mutex mutex;
    const RedisConfig& config() const noexcept { return config_; }

    /// Connects (if needed): AUTH, SELECT. Expects `mutex` held.
    [[nodiscard]] result<void> ensure_connected() {
        if (ctx_) return {};
        Context ctx(redisConnectWithTimeout(config_.host.c_str(), config_.port, to_timeval(config_.connect_timeout)));
        if (!ctx) return fail(error::internal, "redis: cannot allocate a connection");
        if (ctx->err) return unavailable(ctx.get(), "cannot connect to");
        if (redisSetTimeout(ctx.get(), to_timeval(config_.command_timeout)) != REDIS_OK)
            return unavailable(ctx.get(), "cannot set a timeout on");
        ctx_ = std::move(ctx);
        std::vector<Command> hello;
        const std::string db = std::to_string(config_.db);
        if (!config_.password.empty()) {
            if (config_.user.empty()) hello.push_back({"AUTH", config_.password});
            else hello.push_back({"AUTH", config_.user, config_.password});
        }
        if (config_.db != 0) hello.push_back({"SELECT", db});
        if (!hello.empty()) {
            auto r = pipeline_once(hello.size(), [&](std::size_t i, std::string& out) { append_command(out, hello[i]); });
            if (!r) {
                ctx_.reset();
                return r.error();
            }
            for (const auto& reply : *r)
                if (reply->type == REDIS_REPLY_ERROR) {
                    ctx_.reset();
                    return fail(error::backend_unavailable,
                                "redis " + where() + ": " + std::string(reply->str, reply->len));
                }
        }
        return {};
    }

    /** Sends the commands in one pipeline and reads every reply. A broken connection (server
        down or restarted) is reconnected and the pipeline sent once more: every command the
        store sends is idempotent. Expects `mutex` held. */
    [[nodiscard]] result<std::vector<Reply>> pipeline(const std::vector<Command>& commands) {
        return pipeline(commands.size(), [&](std::size_t i, std::string& out) { append_command(out, commands[i]); });
    }

    /** `pipeline` of `count` commands that `format(i, out)` appends to `out` in RESP (for
        arguments made of several pieces, which then need no copy of their own). */
    template <class Format>
    [[nodiscard]] result<std::vector<Reply>> pipeline(std::size_t count, const Format& format) {
        for (int attempt = 0;; ++attempt) {
            if (auto r = ensure_connected(); !r) return r.error();
            auto r = pipeline_once(count, format);
            if (r || attempt == 1) return r;
        }
    }

    [[nodiscard]] result<Reply> command(const Command& c) {
        auto r = pipeline({c});
        if (!r) return r.error();
        return std::move(r->front());
    }

    /// A reply that reports an error, as `backend_unavailable` (e.g. OOM, NOAUTH, LOADING).
    [[nodiscard]] Error reply_error(const redisReply* r, std::string_view what) const {
        return fail(error::backend_unavailable,
                    "redis " + where() + ": " + std::string(what) + ": " + std::string(r->str, r->len));
    }

    std::string where() const { return config_.host + ":" + std::to_string(config_.port); }

private:
    template <class Format>
    [[nodiscard]] result<std::vector<Reply>> pipeline_once(std::size_t count, const Format& format) {
        std::string buffer;
        for (std::size_t i = 0; i < count; ++i) {
            buffer.clear();
            format(i, buffer);
            if (redisAppendFormattedCommand(ctx_.get(), buffer.data(), buffer.size()) != REDIS_OK)
                return drop("cannot send to");
        }
        std::vector<Reply> replies;
        replies.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            void* raw = nullptr;
            if (redisGetReply(ctx_.get(), &raw) != REDIS_OK || !raw) return drop("lost the connection to");
            replies.emplace_back(static_cast<redisReply*>(raw));
        }
        return replies;
    }

    /// The connection is unusable after an I/O error: report it and reconnect next time.
    [[nodiscard]] Error drop(std::string_view what) {
        auto e = unavailable(ctx_.get(), what);
        ctx_.reset();
        return e;
    }

    [[nodiscard]] Error unavailable(const redisContext* ctx, std::string_view what) const {
        std::string reason = ctx && ctx->err ? std::string(ctx->errstr) : "unknown error";
        if (reason.empty()) reason = "connection closed";
        return fail(error::backend_unavailable, "redis: " + std::string(what) + " " + where() + ": " + reason);
    }

    RedisConfig config_;
    Context ctx_;
};

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
    `error::object_not_found`, never as data. A value too short to hold a write time (written
    by something else) reads as `error::object_corrupt`.
    @par Thread and process safety One connection guarded by a mutex; copies share it. Open
    one handle per thread for parallel requests, and a new one in a forked child.
    @par Errors `error::backend_unavailable` when the server cannot be reached, closes the
    connection, or answers with an error (the message says which); a broken connection is
    reconnected on the next operation (and each operation is retried once on a fresh
    connection). */
class Redis {
public:
    /// Bytes of the write time in front of each stored object.
    static constexpr std::size_t time_bytes = detail::redis::time_bytes;

    /** Connects to the server.
        @par Errors `error::backend_unavailable`. */
    [[nodiscard]] static result<Redis> connect(RedisConfig config) {
        auto c = std::make_shared<detail::redis::Connection>(std::move(config));
        {
            std::lock_guard lock(c->mutex);
            if (auto r = c->ensure_connected(); !r) return r.error();
        }
        return Redis(std::move(c));
    }

    /** Parses a `redis://[[user]:password@]host[:port][/db]` URI and connects.
        @par Errors `error::malformed_input`, `error::backend_unavailable`. */
    [[nodiscard]] static result<Redis> open(std::string_view uri) {
        auto config = RedisConfig::from_uri(uri);
        if (!config) return config.error();
        return connect(std::move(*config));
    }

    [[nodiscard]] result<void> put(const Key& k, ByteView data) {
        const PutItem item{k, data};
        return put_many(std::span(&item, 1));
    }

    [[nodiscard]] result<Bytes> get(const Key& k) {
        auto r = get_many(std::span(&k, 1));
        if (!r) return r.error();
        auto& slot = r->front();
        if (!slot) return detail::not_found(k);
        return std::move(*slot);
    }

    [[nodiscard]] result<bool> contains(const Key& k) {
        auto r = contains_many(std::span(&k, 1));
        if (!r) return r.error();
        return bool(r->front());
    }

    [[nodiscard]] result<bool> touch(const Key& k) {
        const auto now = detail::redis::encode_time(Clock::now());
        return script(detail::redis::touch_script, k, std::string_view(now.data(), now.size()), "touch");
    }

    [[nodiscard]] result<bool> remove(const Key& k) {
        const std::string name = object_key(k);
        std::lock_guard lock(c_->mutex);
        auto r = c_->command({"DEL", name});
        if (!r) return r.error();
        return integer_reply(r->get(), "remove");
    }

    [[nodiscard]] result<bool> remove_if_written_before(const Key& k, WriteTime cutoff) {
        const auto t = detail::redis::encode_time(cutoff);
        return script(detail::redis::remove_if_script, k, std::string_view(t.data(), t.size()), "remove");
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
                std::vector<Key> keys;
                for (std::size_t i = 0; i < names->elements; ++i) {
                    const redisReply* n = names->element[i];
                    if (n->type != REDIS_REPLY_STRING) continue;
                    const std::string_view name(n->str, n->len);
                    if (name.size() != infix.size() + Key::size() || !name.starts_with(infix)) continue;
                    keys.push_back(*Key::from(as_bytes(name.substr(infix.size()))));
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
        const auto now = detail::redis::encode_time(Clock::now());
        const std::string_view time(now.data(), now.size());
        const std::string& prefix = c_->config().prefix;
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(items.size(), [&](std::size_t i, std::string& out) {
            out.reserve(items[i].data.size() + prefix.size() + 96);
            out += "*3\r\n$3\r\nSET\r\n";
            detail::redis::append_argument(out, {prefix, "o:", as_chars(items[i].key.view())});
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
    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Key> keys) {
        const std::string& prefix = c_->config().prefix;
        std::vector<std::optional<Bytes>> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(keys.size(), [&](std::size_t i, std::string& cmd) {
            cmd += "*2\r\n$3\r\nGET\r\n";
            detail::redis::append_argument(cmd, {prefix, "o:", as_chars(keys[i].view())});
        });
        if (!r) return r.error();
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const redisReply* reply = (*r)[i].get();
            if (reply->type == REDIS_REPLY_NIL) {
                out.emplace_back();
            } else if (reply->type == REDIS_REPLY_STRING) {
                if (reply->len < time_bytes)
                    return fail(error::object_corrupt, "object " + to_hex(keys[i]) + ": stored value of " +
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
    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Key> keys) {
        const std::string& prefix = c_->config().prefix;
        std::vector<bool> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(keys.size(), [&](std::size_t i, std::string& cmd) {
            cmd += "*2\r\n$6\r\nEXISTS\r\n";
            detail::redis::append_argument(cmd, {prefix, "o:", as_chars(keys[i].view())});
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
    [[nodiscard]] std::string object_key(const Key& k) const {
        std::string s = c_->config().prefix + "o:";
        s.append(as_chars(k.view()));
        return s;
    }

private:
    explicit Redis(std::shared_ptr<detail::redis::Connection> c) : c_(std::move(c)) {}

    [[nodiscard]] Error unexpected(std::string_view what) const {
        return fail(error::backend_unavailable, "redis " + c_->where() + ": unexpected reply to " + std::string(what));
    }

    [[nodiscard]] result<bool> integer_reply(const redisReply* reply, std::string_view what) const {
        if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, what);
        if (reply->type != REDIS_REPLY_INTEGER) return unexpected(what);
        return reply->integer > 0;
    }

    /// Runs a one-key script on the object `k` with one argument.
    [[nodiscard]] result<bool> script(std::string_view body, const Key& k, std::string_view arg, std::string_view what) {
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
