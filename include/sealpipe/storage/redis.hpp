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

inline std::int64_t to_micros(WriteTime t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// Each script touches exactly the object's key (KEYS[1]) and the write-time index (KEYS[2]),
// so every operation is atomic on the server.
inline constexpr std::string_view put_script =
    "redis.call('SET', KEYS[1], ARGV[1]) redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) return 1";
inline constexpr std::string_view touch_script =
    "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2]) return 1 end "
    "return 0";
inline constexpr std::string_view remove_script =
    "local n = redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return n";
inline constexpr std::string_view remove_if_script =
    "local s = redis.call('ZSCORE', KEYS[2], ARGV[1]) "
    "if s and tonumber(s) < tonumber(ARGV[2]) then "
    "  redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return 1 end "
    "return 0";

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
            auto r = pipeline_once(hello);
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
        for (int attempt = 0;; ++attempt) {
            if (auto r = ensure_connected(); !r) return r.error();
            auto r = pipeline_once(commands);
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
    [[nodiscard]] result<std::vector<Reply>> pipeline_once(const std::vector<Command>& commands) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (const auto& c : commands) {
            argv.clear();
            lens.clear();
            for (auto a : c) {
                argv.push_back(a.data());
                lens.push_back(a.size());
            }
            if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK)
                return drop("cannot send to");
        }
        std::vector<Reply> replies;
        replies.reserve(commands.size());
        for (std::size_t i = 0; i < commands.size(); ++i) {
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

/** Objects as Redis strings `<prefix>o:<40-byte key>` plus a sorted set `<prefix>w` of write
    times (microseconds since the epoch), kept consistent by server-side scripts.

    @par Guarantees Each put, touch and removal is atomic on the server (a Lua script). Batches
    are pipelined (one round trip) but not transactional: after a failure some of a batch may
    be stored, each object whole. Durability is the server's (AOF/RDB settings); a server
    that restarts without persistence loses every object, which reads then report as
    `error::object_not_found`, never as data.
    @par Thread and process safety One connection guarded by a mutex; copies share it. Open
    one handle per thread for parallel requests, and a new one in a forked child.
    @par Errors `error::backend_unavailable` when the server cannot be reached, closes the
    connection, or answers with an error (the message says which); a broken connection is
    reconnected on the next operation (and each operation is retried once on a fresh
    connection). */
class Redis {
public:
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
        const std::string ok = object_key(k), now = std::to_string(detail::redis::to_micros(Clock::now()));
        return script(detail::redis::touch_script, ok, {now, as_chars(k.view())}, "touch");
    }

    [[nodiscard]] result<bool> remove(const Key& k) {
        const std::string ok = object_key(k);
        return script(detail::redis::remove_script, ok, {as_chars(k.view())}, "remove");
    }

    [[nodiscard]] result<bool> remove_if_written_before(const Key& k, WriteTime cutoff) {
        const std::string ok = object_key(k), t = std::to_string(detail::redis::to_micros(cutoff));
        return script(detail::redis::remove_if_script, ok, {as_chars(k.view()), t}, "remove");
    }

    /// Scans the write-time index with ZSCAN (objects may be reported twice if the index is
    /// rehashed during the scan; none that exists throughout is missed).
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) {
        std::string cursor = "0";
        const std::string index = index_key();
        do {
            std::vector<ObjectInfo> page;
            {
                std::lock_guard lock(c_->mutex);
                auto r = c_->command({"ZSCAN", index, cursor, "COUNT", "512"});
                if (!r) return r.error();
                const redisReply* reply = r->get();
                if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, "enumerate");
                if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
                    reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_ARRAY)
                    return fail(error::backend_unavailable, "redis " + c_->where() + ": unexpected ZSCAN reply");
                cursor.assign(reply->element[0]->str, reply->element[0]->len);
                const redisReply* items = reply->element[1];
                for (std::size_t i = 0; i + 1 < items->elements; i += 2) {
                    const redisReply* m = items->element[i];
                    const redisReply* s = items->element[i + 1];
                    if (m->type != REDIS_REPLY_STRING || m->len != Key::size() || s->type != REDIS_REPLY_STRING)
                        continue;
                    auto key = Key::from(as_bytes(std::string_view(m->str, m->len)));
                    const double us = std::strtod(std::string(s->str, s->len).c_str(), nullptr);
                    page.push_back({*key, WriteTime(std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::microseconds(static_cast<std::int64_t>(us))))});
                }
            }
            for (const auto& info : page)
                if (!visit(info)) return {};
        } while (cursor != "0");
        return {};
    }

    /// One pipeline of atomic puts (one round trip).
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        const std::string now = std::to_string(detail::redis::to_micros(Clock::now()));
        const std::string index = index_key();
        std::vector<std::string> keys;
        keys.reserve(items.size());
        std::vector<detail::redis::Command> commands;
        commands.reserve(items.size());
        for (const auto& it : items) {
            keys.push_back(object_key(it.key));
            commands.push_back({"EVAL", detail::redis::put_script, "2", keys.back(), index, as_chars(it.data), now,
                                as_chars(it.key.view())});
        }
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(commands);
        if (!r) return r.error();
        for (const auto& reply : *r)
            if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply.get(), "put");
        return {};
    }

    /// One pipeline of GETs.
    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Key> keys) {
        std::vector<std::string> names;
        names.reserve(keys.size());
        std::vector<detail::redis::Command> commands;
        commands.reserve(keys.size());
        for (const auto& k : keys) {
            names.push_back(object_key(k));
            commands.push_back({"GET", names.back()});
        }
        std::vector<std::optional<Bytes>> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(commands);
        if (!r) return r.error();
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const redisReply* reply = (*r)[i].get();
            if (reply->type == REDIS_REPLY_NIL) out.emplace_back();
            else if (reply->type == REDIS_REPLY_STRING) {
                if (reply->len > max_object_bytes) return detail::oversized(keys[i], reply->len);
                out.emplace_back(Bytes(reply->str, reply->str + reply->len));
            } else if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, "get");
            else return fail(error::backend_unavailable, "redis " + c_->where() + ": unexpected GET reply");
        }
        return out;
    }

    /// One pipeline of EXISTS.
    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Key> keys) {
        std::vector<std::string> names;
        names.reserve(keys.size());
        std::vector<detail::redis::Command> commands;
        commands.reserve(keys.size());
        for (const auto& k : keys) {
            names.push_back(object_key(k));
            commands.push_back({"EXISTS", names.back()});
        }
        std::vector<bool> out;
        out.reserve(keys.size());
        std::lock_guard lock(c_->mutex);
        auto r = c_->pipeline(commands);
        if (!r) return r.error();
        for (const auto& reply : *r) {
            if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply.get(), "contains");
            if (reply->type != REDIS_REPLY_INTEGER)
                return fail(error::backend_unavailable, "redis " + c_->where() + ": unexpected EXISTS reply");
            out.push_back(reply->integer == 1);
        }
        return out;
    }

    /// The Redis key that holds `k`'s bytes.
    [[nodiscard]] std::string object_key(const Key& k) const {
        std::string s = c_->config().prefix + "o:";
        s.append(as_chars(k.view()));
        return s;
    }
    /// The Redis key of the write-time index.
    [[nodiscard]] std::string index_key() const { return c_->config().prefix + "w"; }

private:
    explicit Redis(std::shared_ptr<detail::redis::Connection> c) : c_(std::move(c)) {}

    [[nodiscard]] result<bool> script(std::string_view body, const std::string& object,
                                      std::initializer_list<std::string_view> args, std::string_view what) {
        const std::string index = index_key();
        detail::redis::Command c{"EVAL", body, "2", object, index};
        c.insert(c.end(), args.begin(), args.end());
        std::lock_guard lock(c_->mutex);
        auto r = c_->command(c);
        if (!r) return r.error();
        const redisReply* reply = r->get();
        if (reply->type == REDIS_REPLY_ERROR) return c_->reply_error(reply, what);
        if (reply->type != REDIS_REPLY_INTEGER)
            return fail(error::backend_unavailable, "redis " + c_->where() + ": unexpected reply to " + std::string(what));
        return reply->integer > 0;
    }

    std::shared_ptr<detail::redis::Connection> c_;
};

static_assert(StorageBackend<Redis>);

/// A verified Redis store.
using RedisStore = BasicStore<Redis>;

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_REDIS_HPP
