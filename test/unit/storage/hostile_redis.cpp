// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A Redis server that lies: it announces replies of gigabytes, arrays of a billion elements,
// or trickles a reply byte by byte. The client must refuse each while reading it, with a clear
// error, without holding more than the limit in memory and without hanging.
#include <sealpipe/storage/redis.hpp>
#include <sealpipe/testing/objects.hpp>
#include <sealpipe/tags/redis.hpp>

#include "support/storage.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sealpipe;
using namespace std::chrono_literals;

namespace {

/// A one-port fake server: for every connection, reads a request and answers with `reply`,
/// then (when `endless`) sends zeros until the client hangs up, or trickles one byte of
/// `reply` per `trickle` interval.
class HostileRedis {
public:
    HostileRedis(std::string reply, bool endless, std::chrono::milliseconds trickle = 0ms)
        : reply_(std::move(reply)), endless_(endless), trickle_(trickle) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        BOOST_REQUIRE(fd_ >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t n = sizeof a;
        BOOST_REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n) == 0);
        port_ = ntohs(a.sin_port);
        BOOST_REQUIRE(::listen(fd_, 4) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~HostileRedis() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    int port() const { return port_; }
    /// Bytes sent to all clients so far.
    std::size_t sent() const { return sent_; }

private:
    void serve() {
        while (!stop_) {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            char request[4096];
            if (::recv(c, request, sizeof request, 0) > 0) answer(c);
            ::close(c);
        }
    }
    void answer(int c) {
        if (trickle_ > 0ms) {
            for (char ch : reply_) {
                if (stop_ || ::send(c, &ch, 1, MSG_NOSIGNAL) != 1) return;
                sent_ += 1;
                std::this_thread::sleep_for(trickle_);
            }
            return;
        }
        if (::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL) < 0) return;
        sent_ += reply_.size();
        if (!endless_) return;
        const std::string zeros(64 << 10, '\0');
        while (!stop_) {
            const auto n = ::send(c, zeros.data(), zeros.size(), MSG_NOSIGNAL);
            if (n <= 0) return;   // the client hung up
            sent_ += static_cast<std::size_t>(n);
        }
    }

    std::string reply_;
    bool endless_;
    std::chrono::milliseconds trickle_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> sent_{0};
    std::thread thread_;
};

storage::RedisConfig at(const HostileRedis& h) {
    storage::RedisConfig c;
    c.port = h.port();
    c.command_timeout = 5000ms;
    return c;
}

object::Reference some_reference() { return testing::leaf(100, 1).ref; }

/// The peak resident memory of this process, in KiB.
long peak_rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostile_redis)

BOOST_AUTO_TEST_CASE(a_bulk_reply_announced_as_4_gib_is_refused_while_it_arrives) {
    HostileRedis server("$4294967296\r\n", true);
    // In a child, so that its peak memory is its own.
    const int code = testing::run_in_child([&] {
        const long before = peak_rss_kib();
        auto store = storage::Redis::connect(at(server));
        if (!store) return 10;
        auto got = store->get(some_reference());
        if (got) return 11;
        if (got.error() != errc::size_limit_exceeded) {
            std::fprintf(stderr, "child: %s\n", got.error().message().c_str());
            return 12;
        }
        if (got.error().message().find("refused while being read") == std::string::npos) return 13;
        // The limit (2 MiB and a little) plus a read buffer, not gigabytes.
        const long grew = peak_rss_kib() - before;
        if (grew > 16 * 1024) {
            std::fprintf(stderr, "child: peak memory grew by %ld KiB\n", grew);
            return 14;
        }
        return 0;
    });
    BOOST_TEST(code == 0);
    // The server got to send only about the limit before the client hung up (socket buffers
    // hold a few MiB more).
    BOOST_TEST_MESSAGE("hostile_redis: the server sent " << server.sent() << " bytes before the client hung up");
    BOOST_TEST(server.sent() < std::size_t{64} << 20);
}

BOOST_AUTO_TEST_CASE(an_array_of_a_billion_elements_is_refused_before_it_is_allocated) {
    HostileRedis server("*1000000000\r\n", true);
    auto store = storage::Redis::connect(at(server));
    BOOST_REQUIRE(store.has_value());
    std::size_t seen = 0;
    auto r = store->enumerate([&](const storage::ObjectInfo&) { return ++seen, true; });
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::size_limit_exceeded));
    BOOST_TEST(r.error().message().find("array elements") != std::string::npos, r.error().message());
}

BOOST_AUTO_TEST_CASE(many_strings_that_add_up_past_the_limit_are_refused) {
    // A SCAN page of 2 names of 1.5 MiB each: each fits, together they do not.
    const std::string name(3 << 19, 'x');
    std::string reply = "*2\r\n$1\r\n0\r\n*2\r\n";
    for (int i = 0; i < 2; ++i) reply += "$" + std::to_string(name.size()) + "\r\n" + name + "\r\n";
    HostileRedis server(reply, false);
    auto store = storage::Redis::connect(at(server));
    BOOST_REQUIRE(store.has_value());
    auto r = store->enumerate([](const storage::ObjectInfo&) { return true; });
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::size_limit_exceeded), r.error().message());
}

BOOST_AUTO_TEST_CASE(a_reply_trickled_byte_by_byte_ends_at_the_command_timeout) {
    HostileRedis server("$5\r\nhello\r\n", false, 200ms);
    auto config = at(server);
    config.command_timeout = 600ms;
    auto store = storage::Redis::connect(config);
    BOOST_REQUIRE(store.has_value());
    const auto start = std::chrono::steady_clock::now();
    auto got = store->get(some_reference());
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_REQUIRE(!got.has_value());
    BOOST_TEST((got.error() == errc::backend_unavailable));
    BOOST_TEST(got.error().message().find("to send one reply") != std::string::npos, got.error().message());
    // Every byte came well within the per-read timeout; the reply as a whole did not.
    BOOST_TEST(took < 5s);
}

BOOST_AUTO_TEST_CASE(the_tag_store_is_bounded_by_its_record_size) {
    HostileRedis server("$4294967296\r\n", true);
    auto tags = tags::RedisTags::connect(at(server));
    BOOST_REQUIRE(tags.has_value());
    auto got = tags->get_tag(tags::TagId{});
    BOOST_REQUIRE(!got.has_value());
    BOOST_TEST((got.error() == errc::size_limit_exceeded), got.error().message());
}

BOOST_AUTO_TEST_CASE(a_small_configured_limit_does_not_break_what_the_store_accepted) {
    // The store sets the reply limit to what it reads back: a caller's smaller limit cannot
    // make an accepted object unreadable.
    test::RedisServer server;
    auto config = storage::RedisConfig::from_uri(server.uri()).value();
    config.max_reply_bytes = 1024;
    auto store = storage::RedisStore(storage::Redis::connect(config).value());
    const auto o = testing::leaf(storage::max_object_bytes, 7);
    BOOST_REQUIRE(store.put(o.ref, o.data).has_value());
    auto got = store.get(o.ref);
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST((*got == o.data));
}

BOOST_AUTO_TEST_SUITE_END()
