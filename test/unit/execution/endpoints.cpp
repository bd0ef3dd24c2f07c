// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/execution/endpoints.hpp and sealpipe/transport/rpc.hpp: a client and a
// worker reaching a scheduler only through a transport (threads and bounded queues), with the
// worker's rejection reaching the client, a transport that alters events in flight being
// caught, back-pressure and deadlines of calls, and shutdown.
#include <sealpipe/execution/endpoints.hpp>

#include <sealpipe/transport/in_process.hpp>
#include <sealpipe/transport/rpc.hpp>

#include "support/vectors.hpp"
#include "unit/execution/pki.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <thread>
#include <type_traits>

using namespace sealpipe;
using namespace sealpipe::execution;
using namespace std::chrono_literals;
using sealpipe::test::at;
using sealpipe::test::fresh;
using sealpipe::test::Pki;
using sealpipe::test::t0;

namespace {

transport::Deadline in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

/// A transport whose channels flip one bit of every event they deliver to clients: a
/// scheduler (or network) that alters what it forwards.
struct Flipping {
    template <class M>
    class Channel : public transport::InProcess::Channel<M> {
        using Base = transport::InProcess::Channel<M>;

    public:
        using Base::Base;
        [[nodiscard]] result<M> receive(transport::Deadline d) { return flip(Base::receive(d)); }
        [[nodiscard]] result<M> try_receive() { return flip(Base::try_receive()); }

    private:
        static result<M> flip(result<M> m) {
            if constexpr (std::is_same_v<M, Update>)
                if (m && !m->event.empty()) m->event.back() ^= 0x01;
            return m;
        }
    };
    template <class M>
    [[nodiscard]] static std::shared_ptr<Channel<M>> make_channel(std::size_t capacity) {
        return std::make_shared<Channel<M>>(capacity);
    }
};
static_assert(transport::Transport<Flipping>);

/// A scheduler serving on its own thread, and a client and worker connected to it.
template <class T>
struct Running {
    Pki pki;
    keys::AnyPrivateKey platform = fresh("x25519");
    Scheduler<T> scheduler;
    std::thread serving{[this] { scheduler.run(); }};
    WorkerEndpoint<T> worker{Worker::create({platform}, pki.trust(), 3600s).value(), "bob", scheduler.connect()};
    ClientEndpoint<T> client{Client::create(pki.chain(), pki.client.key).value(), scheduler.connect()};

    ~Running() {
        scheduler.shutdown();
        serving.join();
    }
    result<Execution<T>> execute(std::string_view text) {
        return client.execute(platform.public_key(), as_bytes(text), AdditionalData{{}, Duration::from_seconds(60)},
                              NoncePolicy::random, in(2000ms));
    }
};

using sealpipe::test::text;

} // namespace

BOOST_AUTO_TEST_SUITE(endpoints)

BOOST_AUTO_TEST_CASE(client_and_worker_through_the_transport) {
    Running<transport::InProcess> r;
    BOOST_TEST_REQUIRE(r.worker.synchronize(in(2000ms)).has_value());
    auto execution = r.execute("count words");
    BOOST_TEST_REQUIRE(execution.has_value());

    // Boost.Test is not thread-safe: Bob's thread records what went wrong, the test checks it
    // once the thread has ended.
    std::string bob_failed;
    std::thread bob([&] {
        auto fails = [&](bool failed, const char* what) {
            if (failed && bob_failed.empty()) bob_failed = what;
            return failed;
        };
        auto job = r.worker.next_action(in(2000ms), at(t0));
        if (fails(!job.has_value() || !job->has_value(), "no job")) return;
        fails(text((*job)->action.plaintext) != "count words", "wrong plaintext");
        fails(!r.worker.heartbeat(&**job, in(2000ms)).has_value(), "heartbeat");
        fails(!r.worker.progress(**job, as_bytes("half way"), in(2000ms)).has_value(), "progress");
        fails(!r.worker.complete(**job, as_bytes("2 words"), in(2000ms)).has_value(), "complete");
        // Nothing else is queued.
        auto none = r.worker.next_action(in(2000ms), at(t0));
        fails(!none.has_value() || none->has_value(), "a second job");
    });
    auto progress = execution->next(in(5000ms));
    BOOST_TEST_REQUIRE(progress.has_value());
    BOOST_TEST(!progress->final);
    BOOST_TEST(text(progress->plaintext) == "half way");
    auto done = execution->next(in(5000ms));
    BOOST_TEST_REQUIRE(done.has_value());
    BOOST_TEST(done->final);
    BOOST_TEST(text(done->plaintext) == "2 words");
    BOOST_TEST((execution->next(in(100ms)).error() == errc::cancelled));   // no event after the last
    bob.join();
    BOOST_TEST(bob_failed.empty(), "Bob's thread: " << bob_failed);
}

BOOST_AUTO_TEST_CASE(rejected_action_reaches_the_client_with_its_reason) {
    Running<transport::InProcess> r;
    BOOST_TEST_REQUIRE(r.worker.synchronize(in(2000ms)).has_value());
    auto execution = r.execute("x");
    BOOST_TEST_REQUIRE(execution.has_value());
    // Long after the client certificate expired.
    auto job = r.worker.next_action(in(2000ms), at(t0 + 400 * test::day));
    BOOST_TEST_REQUIRE(!job.has_value());
    BOOST_TEST((job.error() == errc::certificate_expired));
    BOOST_TEST(job.error().message().find("task " + std::to_string(execution->task())) != std::string::npos);
    auto update = execution->next(in(5000ms));
    BOOST_TEST_REQUIRE(!update.has_value());
    BOOST_TEST((update.error() == errc::certificate_expired));
}

BOOST_AUTO_TEST_CASE(worker_of_another_key_is_not_served) {
    Running<transport::InProcess> r;
    BOOST_TEST_REQUIRE(r.worker.synchronize(in(2000ms)).has_value());
    // Mallory holds another key: the scheduler routes the client's action only to Bob.
    WorkerEndpoint<transport::InProcess> mallory(Worker::create({fresh("x25519")}, r.pki.trust(), 3600s).value(),
                                                 "mallory", r.scheduler.connect());
    BOOST_TEST_REQUIRE(mallory.synchronize(in(2000ms)).has_value());
    auto execution = r.execute("for bob only");
    BOOST_TEST_REQUIRE(execution.has_value());
    auto stolen = mallory.next_action(in(2000ms), at(t0));
    BOOST_TEST_REQUIRE(stolen.has_value());
    BOOST_TEST(!stolen->has_value());
    // And an endpoint that never proved anything gets nothing.
    WorkerEndpoint<transport::InProcess> eve(Worker::create({fresh("x25519")}, r.pki.trust(), 3600s).value(), "eve",
                                             r.scheduler.connect());
    BOOST_TEST((eve.next_action(in(2000ms), at(t0)).error() == errc::proof_failed));
}

BOOST_AUTO_TEST_CASE(cancelled_action_stops_the_worker) {
    Running<transport::InProcess> r;
    BOOST_TEST_REQUIRE(r.worker.synchronize(in(2000ms)).has_value());
    auto execution = r.execute("long job");
    BOOST_TEST_REQUIRE(execution.has_value());
    auto job = r.worker.next_action(in(2000ms), at(t0));
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST_REQUIRE(job->has_value());
    execution->cancel();
    BOOST_TEST((r.worker.progress(**job, as_bytes("still going"), in(2000ms)).error() == errc::cancelled));
}

BOOST_AUTO_TEST_CASE(events_altered_in_transit_are_detected) {
    Running<Flipping> r;
    BOOST_TEST_REQUIRE(r.worker.synchronize(in(2000ms)).has_value());
    auto execution = r.execute("count words");
    BOOST_TEST_REQUIRE(execution.has_value());
    auto job = r.worker.next_action(in(2000ms), at(t0));
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST_REQUIRE(job->has_value());
    BOOST_TEST_REQUIRE(r.worker.complete(**job, as_bytes("2 words"), in(2000ms)).has_value());
    auto done = execution->next(in(5000ms));
    BOOST_TEST_REQUIRE(!done.has_value());
    BOOST_TEST((done.error() == errc::authentication_failed));
}

BOOST_AUTO_TEST_CASE(back_pressure_deadlines_and_shutdown) {
    SchedulerOptions options;
    options.inbox_capacity = 1;
    Scheduler<transport::InProcess> scheduler(options);   // not serving yet
    auto connection = scheduler.connect();
    // Delivered into the inbox, but nobody answers before the deadline.
    auto first = connection.call(request::NextAction{"bob"}, in(50ms));
    BOOST_TEST_REQUIRE(!first.has_value());
    BOOST_TEST((first.error() == errc::timed_out));
    BOOST_TEST(first.error().message().find("no reply") != std::string::npos);
    // The inbox is full: the next request is refused at its deadline.
    auto second = connection.call(request::NextAction{"bob"}, in(50ms));
    BOOST_TEST_REQUIRE(!second.has_value());
    BOOST_TEST((second.error() == errc::timed_out));
    BOOST_TEST(second.error().message().find("back-pressure") != std::string::npos);
    // Serving drains the stale request (its answer goes nowhere), then answers a new one.
    BOOST_TEST(scheduler.serve_until(in(20ms)));
    std::thread serving([&] { scheduler.run(); });
    auto third = connection.call(request::NextAction{"bob"}, in(2000ms));
    BOOST_TEST((third.error() == errc::proof_failed));   // answered: bob never synchronized
    scheduler.shutdown();
    serving.join();
    BOOST_TEST((connection.call(request::NextAction{"bob"}, in(50ms)).error() == errc::cancelled));
}

BOOST_AUTO_TEST_SUITE_END()
