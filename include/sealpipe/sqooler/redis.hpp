// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `RedisDocuments`: the provider's document store in Redis (one string per document and a
// sorted set per folder), over the shared Redis connection (io/redis.hpp).

#ifndef SEALPIPE_SQOOLER_REDIS_HPP
#define SEALPIPE_SQOOLER_REDIS_HPP

#include <sealpipe/sqooler/provider.hpp>
#include <sealpipe/io/redis.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sealpipe::sqooler {

namespace detail::provider_redis {

// KEYS[1] document, KEYS[2] its folder's index; ARGV[1] name, ARGV[2] body.
inline constexpr std::string_view put_script =
    "redis.call('SET', KEYS[1], ARGV[2]) redis.call('ZADD', KEYS[2], 0, ARGV[1]) return 1";
inline constexpr std::string_view put_nx_script =
    "if redis.call('SET', KEYS[1], ARGV[2], 'NX') then redis.call('ZADD', KEYS[2], 0, ARGV[1]) return 1 end "
    "return 0";
// KEYS[1] document, KEYS[2] its folder's index; ARGV[1] name, ARGV[2] body, ARGV[3] expected body.
inline constexpr std::string_view put_if_unchanged_script =
    "if redis.call('GET', KEYS[1]) ~= ARGV[3] then return 0 end "
    "redis.call('SET', KEYS[1], ARGV[2]) redis.call('ZADD', KEYS[2], 0, ARGV[1]) return 1";
// KEYS[1] from, KEYS[2] from's index, KEYS[3] to, KEYS[4] to's index; ARGV[1] from name, ARGV[2] to name.
inline constexpr std::string_view move_script =
    "local v = redis.call('GET', KEYS[1]) if not v then return 0 end "
    "redis.call('SET', KEYS[3], v) redis.call('DEL', KEYS[1]) "
    "redis.call('ZREM', KEYS[2], ARGV[1]) redis.call('ZADD', KEYS[4], 0, ARGV[2]) return 1";

inline std::pair<std::string, std::string> split(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return {std::string(), path};
    return {path.substr(0, slash), path.substr(slash + 1)};
}

} // namespace detail::provider_redis

/** The provider's documents in Redis: document `p` is the string `<prefix>doc:p`, and each
    folder `f` has a sorted set `<prefix>dir:f` of its names (score 0, so byte order). Every
    write is one Lua script: `put_if_absent` is `SET NX`, `put_if_unchanged` compares and sets
    in one script, and `move` moves the value and the index entries at once, so each is atomic
    against every other client.
    @par Caveat A command whose reply is lost with the connection is sent again once; a
    repeated `move` then reports false (the job was taken, by this client), and a repeated
    `put_if_unchanged` false (the document changed, by this client).
    @par Errors `errc::backend_unavailable` (cannot connect, server errors). */
class RedisDocuments {
public:
    /// Connects lazily to `config` (`redis://…` via `io::redis::Config::from_uri`).
    explicit RedisDocuments(io::redis::Config config)
        : conn_(std::make_shared<io::redis::Connection>(bounded(std::move(config)))) {}

    [[nodiscard]] result<std::optional<std::string>> get(const std::string& path) {
        const std::string key = doc_key(path);
        std::lock_guard lock(conn_->mutex);
        auto r = conn_->command({"GET", key});
        if (!r) return r.error();
        if ((*r)->type == REDIS_REPLY_NIL) return std::optional<std::string>();
        if ((*r)->type != REDIS_REPLY_STRING) return conn_->reply_error(r->get(), "GET");
        return std::optional<std::string>(std::string((*r)->str, (*r)->len));
    }

    [[nodiscard]] result<void> put(const std::string& path, std::string_view text) {
        auto r = write(detail::provider_redis::put_script, path, text);
        if (!r) return r.error();
        return {};
    }

    [[nodiscard]] result<bool> put_if_absent(const std::string& path, std::string_view text) {
        return write(detail::provider_redis::put_nx_script, path, text);
    }

    [[nodiscard]] result<bool> put_if_unchanged(const std::string& path, std::string_view expected,
                                                std::string_view text) {
        const auto [folder, name] = detail::provider_redis::split(path);
        const std::string k1 = doc_key(path), k2 = dir_key(folder);
        std::lock_guard lock(conn_->mutex);
        auto r = conn_->command(
            {"EVAL", detail::provider_redis::put_if_unchanged_script, "2", k1, k2, name, text, expected});
        return integer_reply(r, "put_if_unchanged");
    }

    [[nodiscard]] result<bool> move(const std::string& from, const std::string& to) {
        const auto [ff, fn] = detail::provider_redis::split(from);
        const auto [tf, tn] = detail::provider_redis::split(to);
        const std::string k1 = doc_key(from), k2 = dir_key(ff), k3 = doc_key(to), k4 = dir_key(tf);
        std::lock_guard lock(conn_->mutex);
        auto r = conn_->command({"EVAL", detail::provider_redis::move_script, "4", k1, k2, k3, k4, fn, tn});
        return integer_reply(r, "move");
    }

    [[nodiscard]] result<std::vector<std::string>> list(const std::string& folder) {
        const std::string key = dir_key(folder);
        std::lock_guard lock(conn_->mutex);
        auto r = conn_->command({"ZRANGE", key, "0", "-1"});
        if (!r) return r.error();
        if ((*r)->type != REDIS_REPLY_ARRAY) return conn_->reply_error(r->get(), "ZRANGE");
        std::vector<std::string> out;
        out.reserve((*r)->elements);
        for (std::size_t i = 0; i < (*r)->elements; ++i) {
            const redisReply* e = (*r)->element[i];
            if (e->type == REDIS_REPLY_STRING) out.emplace_back(e->str, e->len);
        }
        return out;
    }

private:
    /// Replies as large as the largest document the provider accepts (every accepted document
    /// must read back), and no larger.
    static io::redis::Config bounded(io::redis::Config c) {
        c.max_reply_bytes = max_document_bytes + (std::size_t{64} << 10);
        return c;
    }

    std::string doc_key(const std::string& path) const { return conn_->config().prefix + "doc:" + path; }
    std::string dir_key(const std::string& folder) const { return conn_->config().prefix + "dir:" + folder; }

    [[nodiscard]] result<bool> write(std::string_view script, const std::string& path, std::string_view text) {
        const auto [folder, name] = detail::provider_redis::split(path);
        const std::string k1 = doc_key(path), k2 = dir_key(folder);
        std::lock_guard lock(conn_->mutex);
        auto r = conn_->command({"EVAL", script, "2", k1, k2, name, text});
        return integer_reply(r, "write");
    }

    [[nodiscard]] result<bool> integer_reply(const result<io::redis::Reply>& r, std::string_view what) const {
        if (!r) return r.error();
        if ((*r)->type != REDIS_REPLY_INTEGER) return conn_->reply_error(r->get(), what);
        return (*r)->integer == 1;
    }

    std::shared_ptr<io::redis::Connection> conn_;
};

} // namespace sealpipe::sqooler

#endif // SEALPIPE_SQOOLER_REDIS_HPP
