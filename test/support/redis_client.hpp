// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support: a plain hiredis client, to look at (and tamper with) what a Redis-backed
// store keeps on the server, behind the store's back.

#ifndef SEALPIPE_TEST_SUPPORT_REDIS_CLIENT_HPP
#define SEALPIPE_TEST_SUPPORT_REDIS_CLIENT_HPP

#include <hiredis/hiredis.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sealpipe::test {

/// One connection to 127.0.0.1:port, database `db`; every failure throws.
class RedisClient {
public:
    struct ReplyDeleter {
        void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
    };
    using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

    RedisClient(int port, int db) : c_(redisConnect("127.0.0.1", port), redisFree) {
        if (!c_ || c_->err) throw std::runtime_error("RedisClient: cannot connect");
        command({"SELECT", std::to_string(db)});
    }

    /// Runs a command of binary-safe arguments; a reply of type error throws.
    Reply command(const std::vector<std::string_view>& args) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lens;
        for (auto a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        Reply r(static_cast<redisReply*>(
            redisCommandArgv(c_.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
        if (!r) throw std::runtime_error("RedisClient: connection lost");
        if (r->type == REDIS_REPLY_ERROR) throw std::runtime_error("RedisClient: " + std::string(r->str, r->len));
        return r;
    }

    std::optional<std::string> get(std::string_view key) {
        auto r = command({"GET", key});
        if (r->type == REDIS_REPLY_NIL) return std::nullopt;
        return std::string(r->str, r->len);
    }

    void set(std::string_view key, std::string_view value) { command({"SET", key, value}); }

    /// Every key that starts with `prefix` (KEYS: fine for the small databases of tests).
    std::vector<std::string> keys_with_prefix(const std::string& prefix) {
        std::string pattern;
        for (char ch : prefix) {
            if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') pattern += '\\';
            pattern += ch;
        }
        auto r = command({"KEYS", pattern + "*"});
        std::vector<std::string> out;
        for (std::size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str, r->element[i]->len);
        return out;
    }

private:
    std::unique_ptr<redisContext, void (*)(redisContext*)> c_;
};

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_SUPPORT_REDIS_CLIENT_HPP
