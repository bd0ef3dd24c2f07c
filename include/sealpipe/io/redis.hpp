// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The one Redis layer every Redis-backed store is built on (component sealpipe::redis):
// `redis://` URIs, one reconnecting hiredis connection, pipelines, RESP formatting.

#ifndef SEALPIPE_IO_REDIS_HPP
#define SEALPIPE_IO_REDIS_HPP

#include <sealpipe/error.hpp>

#include <hiredis/hiredis.h>

#include <charconv>
#include <cstdlib>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <sys/time.h>

namespace sealpipe::io::redis {

/// Where and how to reach a Redis server.
struct Config {
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    std::string user;      ///< for `AUTH user password` (Redis 6 ACLs); empty for plain AUTH
    std::string password;  ///< empty: no AUTH
    std::string prefix = "sealpipe:"; ///< every key the store uses starts with it
    std::chrono::milliseconds connect_timeout{2000};
    /// How long one reply may take to arrive, whole (a server that trickles bytes is cut off).
    std::chrono::milliseconds command_timeout{10000};
    /** The largest reply accepted, counted while it is read: the bytes of every string in it,
        or of the unparsed input buffered for it. A server that announces or sends more is cut
        off before the client holds more than this (plus one 16 KiB read). The stores set it to
        what they read back (`Redis`: an object; `RedisTags`: a record; `RedisDocuments`: a
        document), so that whatever they accept reads back. */
    std::size_t max_reply_bytes = (std::size_t{64} << 20) + (std::size_t{64} << 10);
    /// The most array elements (at every depth) one reply may hold.
    std::size_t max_reply_elements = std::size_t{1} << 20;

    /** Parses `redis://[[user]:password@]host[:port][/db]`.
        @par Errors `errc::malformed_input` naming the part that is wrong. */
    [[nodiscard]] static result<Config> from_uri(std::string_view uri) {
        constexpr std::string_view scheme = "redis://";
        if (!uri.starts_with(scheme))
            return fail(errc::malformed_input, "redis URI: expected 'redis://HOST[:PORT][/DB]', got '" +
                                                    std::string(uri) + "'");
        Config c;
        std::string_view rest = uri.substr(scheme.size());
        if (auto at = rest.rfind('@'); at != std::string_view::npos) {
            std::string_view cred = rest.substr(0, at);
            rest = rest.substr(at + 1);
            const auto colon = cred.find(':');
            if (colon == std::string_view::npos)
                return fail(errc::malformed_input, "redis URI: credentials must be ':PASSWORD' or 'USER:PASSWORD'");
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
                    return fail(errc::malformed_input, "redis URI: database '" + std::string(db) +
                                                            "' is not a non-negative integer");
            }
        }
        if (auto colon = hostport.rfind(':'); colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
            std::string_view port = hostport.substr(colon + 1);
            auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), c.port);
            if (ec != std::errc{} || p != port.data() + port.size() || c.port < 1 || c.port > 65535)
                return fail(errc::malformed_input, "redis URI: port '" + std::string(port) + "' is not in 1..65535");
            hostport = hostport.substr(0, colon);
        }
        if (hostport.empty()) return fail(errc::malformed_input, "redis URI: missing host");
        c.host = std::string(hostport);
        return c;
    }
};

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

namespace detail {

/// What one reply may still take, checked by the reader as it builds the reply.
struct ReplyBudget {
    std::size_t bytes = 0;
    std::size_t elements = 0;
    const char* exceeded = nullptr;   ///< what ran out, when one did
};

/// hiredis' own reply constructors, behind the budget (hiredis 0.14 has no limits of its own).
inline const redisReplyObjectFunctions& default_reply_functions() {
    static const redisReplyObjectFunctions f = [] {
        redisReader* r = redisReaderCreate();
        if (!r) std::abort();
        redisReplyObjectFunctions copy = *r->fn;
        redisReaderFree(r);
        return copy;
    }();
    return f;
}

inline ReplyBudget& budget_of(const redisReadTask* task) { return *static_cast<ReplyBudget*>(task->privdata); }

inline void* bounded_string(const redisReadTask* task, char* str, size_t len) {
    ReplyBudget& b = budget_of(task);
    if (len > b.bytes) {
        b.exceeded = "bytes";
        return nullptr;
    }
    b.bytes -= len;
    return default_reply_functions().createString(task, str, len);
}

inline void* bounded_array(const redisReadTask* task, int elements) {
    ReplyBudget& b = budget_of(task);
    const auto n = static_cast<std::size_t>(elements < 0 ? 0 : elements);
    if (n > b.elements) {
        b.exceeded = "elements";
        return nullptr;
    }
    b.elements -= n;
    return default_reply_functions().createArray(task, elements);
}

inline void* bounded_integer(const redisReadTask* task, long long v) {
    return default_reply_functions().createInteger(task, v);
}

inline void* bounded_nil(const redisReadTask* task) { return default_reply_functions().createNil(task); }

inline void free_reply(void* reply) { default_reply_functions().freeObject(reply); }

inline redisReplyObjectFunctions bounded_reply_functions{bounded_string, bounded_array, bounded_integer, bounded_nil,
                                                         free_reply};

} // namespace detail

/// One connection, reconnected on demand, guarded by a mutex.
class Connection {
public:
    explicit Connection(Config c) : config_(std::move(c)) {}

    std::mutex mutex;
    const Config& config() const noexcept { return config_; }

    /// Connects (if needed): AUTH, SELECT. Expects `mutex` held.
    [[nodiscard]] result<void> ensure_connected() {
        if (ctx_) return {};
        Context ctx(redisConnectWithTimeout(config_.host.c_str(), config_.port, to_timeval(config_.connect_timeout)));
        if (!ctx) return fail(errc::internal, "redis: cannot allocate a connection");
        if (ctx->err) return unavailable(ctx.get(), "cannot connect to");
        if (redisSetTimeout(ctx.get(), to_timeval(config_.command_timeout)) != REDIS_OK)
            return unavailable(ctx.get(), "cannot set a timeout on");
        // Every reply is built against the budget (`read_reply`).
        ctx->reader->fn = &detail::bounded_reply_functions;
        ctx->reader->privdata = &budget_;
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
                    return fail(errc::backend_unavailable,
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
            // A reply over the limits is refused, not asked for again.
            if (r || attempt == 1 || r.error() == errc::size_limit_exceeded) return r;
        }
    }

    [[nodiscard]] result<Reply> command(const Command& c) {
        auto r = pipeline({c});
        if (!r) return r.error();
        return std::move(r->front());
    }

    /// A reply that reports an error, as `backend_unavailable` (e.g. OOM, NOAUTH, LOADING).
    [[nodiscard]] Error reply_error(const redisReply* r, std::string_view what) const {
        return fail(errc::backend_unavailable,
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
        if (auto f = flush(); !f) return f.error();
        for (std::size_t i = 0; i < count; ++i) {
            auto reply = read_reply();
            if (!reply) return reply.error();
            replies.push_back(std::move(*reply));
        }
        return replies;
    }

    /// Writes hiredis' output buffer out.
    [[nodiscard]] result<void> flush() {
        for (int done = 0; !done;)
            if (redisBufferWrite(ctx_.get(), &done) != REDIS_OK) return drop("cannot send to");
        return {};
    }

    /** Reads one reply within the limits: the budget bounds what the reader builds, and the
        unparsed input is checked after every read, so that a bulk string announced as
        gigabytes is refused as its bytes arrive, not after they have all been buffered. */
    [[nodiscard]] result<Reply> read_reply() {
        budget_ = {config_.max_reply_bytes, config_.max_reply_elements, nullptr};
        const auto deadline = std::chrono::steady_clock::now() + config_.command_timeout;
        void* raw = nullptr;
        for (;;) {
            if (redisGetReplyFromReader(ctx_.get(), &raw) != REDIS_OK) return refuse_or_drop();
            if (raw) return Reply(static_cast<redisReply*>(raw));
            const redisReader* reader = ctx_->reader;
            if (reader->len - reader->pos > config_.max_reply_bytes) {
                budget_.exceeded = "bytes";
                return refuse_or_drop();
            }
            if (std::chrono::steady_clock::now() > deadline) {
                ctx_.reset();
                return fail(errc::backend_unavailable, "redis: " + where() + " took longer than " +
                                                           std::to_string(config_.command_timeout.count()) +
                                                           " ms to send one reply");
            }
            if (redisBufferRead(ctx_.get()) != REDIS_OK) return drop("lost the connection to");
        }
    }

    /// After the reader failed: a reply over the limits, or a protocol error.
    [[nodiscard]] Error refuse_or_drop() {
        if (budget_.exceeded) {
            const std::string what = budget_.exceeded;
            ctx_.reset();   // the rest of the reply is still on the wire
            return fail(errc::size_limit_exceeded,
                        "redis " + where() + ": a reply exceeded the limit of " +
                            (what == "bytes" ? std::to_string(config_.max_reply_bytes) + " bytes"
                                             : std::to_string(config_.max_reply_elements) + " array elements") +
                            " and was refused while being read");
        }
        return drop("cannot read a reply from");
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
        return fail(errc::backend_unavailable, "redis: " + std::string(what) + " " + where() + ": " + reason);
    }

    Config config_;
    Context ctx_;
    detail::ReplyBudget budget_;
};

} // namespace sealpipe::io::redis

#endif // SEALPIPE_IO_REDIS_HPP
