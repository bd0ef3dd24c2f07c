// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Load over loopback gRPC: 1,000 concurrent Execute streams over four workers all complete,
// each with its own result (no deadlock, no lost or crossed action).
#include <sealpipe/net.hpp>

#include "unit/net/fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace sealpipe;
using namespace sealpipe::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(net_load)

BOOST_AUTO_TEST_CASE(a_thousand_streams_over_four_workers) {
    constexpr int streams = 1000, workers = 4, readers = 8;
    NowPki pki;
    const keys::AnyPrivateKey platform = fresh("x25519");
    net::SchedulerServer server;
    BOOST_REQUIRE(server.start(net::ServerOptions{}).has_value());

    std::atomic<bool> stop{false};
    std::vector<net::RemoteWorker> pool;
    for (int i = 0; i < workers; ++i)
        pool.push_back(net::RemoteWorker::connect(execution::Worker::create({platform}, pki.trust(), 3600s).value(),
                                                  {.url = url(server)},
                                                  {.worker_id = {{"worker", std::to_string(i)}}})
                           .value());
    std::atomic<int> runs{0};
    const net::Runner echo = [&](const net::RemoteTask& t, net::Progress&) {
        ++runs;
        net::Outcome o;
        o.plaintext = to_bytes(ByteView(t.action.plaintext));
        return o;
    };
    std::vector<std::thread> worker_threads;
    std::atomic<int> run_failures{0};   // checked on the test's thread: Boost.Test is not thread-safe
    for (auto& w : pool) worker_threads.emplace_back([&] { run_failures += !w.run(echo, stop).has_value(); });

    auto client = net::RemoteClient::connect(pki.make_client(), {.url = url(server)}).value();
    BOOST_REQUIRE(eventually([&] { return server.scheduler().stats().proven_workers == workers; }));
    // Every stream is open before any is read.
    std::vector<net::RemoteExecution> open;
    open.reserve(streams);
    for (int i = 0; i < streams; ++i)
        open.push_back(client
                           .execute(platform.public_key(), as_bytes("action " + std::to_string(i)),
                                    {{}, execution::Duration::from_seconds(600)}, execution::NoncePolicy::random)
                           .value());
    std::atomic<int> completed{0}, wrong{0};
    std::vector<std::thread> reading;
    for (int r = 0; r < readers; ++r)
        reading.emplace_back([&, r] {
            for (int i = r; i < streams; i += readers) {
                auto e = open[static_cast<std::size_t>(i)].next();
                while (e && !e->final) e = open[static_cast<std::size_t>(i)].next();
                if (e && std::string(as_chars(ByteView(e->plaintext))) == "action " + std::to_string(i)) ++completed;
                else ++wrong;
            }
        });
    for (auto& t : reading) t.join();
    BOOST_TEST(completed.load() == streams);
    BOOST_TEST(wrong.load() == 0);
    BOOST_TEST(runs.load() == streams);   // each action ran once
    stop = true;
    for (auto& w : pool) w.wake();
    for (auto& t : worker_threads) t.join();
    BOOST_TEST(run_failures.load() == 0);
    server.shutdown();
}

BOOST_AUTO_TEST_SUITE_END()
