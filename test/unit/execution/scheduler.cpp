// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/execution/scheduler.hpp and sealpipe/transport/*.hpp: proof of
// possession (including a rogue worker announcing someone else's key), routing, in-flight
// deduplication, timeouts, requeueing after a vanished worker, cancellation, back-pressure,
// and a threaded run. Time is a ManualClock: no test sleeps.
#include <sealpipe/execution/scheduler.hpp>

#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/transport/in_process.hpp>

#include "support/vectors.hpp"
#include "unit/execution/pki.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

using namespace sealpipe;
using namespace sealpipe::execution;
using namespace std::chrono_literals;
using sealpipe::test::at;
using sealpipe::test::fresh;
using sealpipe::test::Pki;
using sealpipe::test::t0;

namespace {

static_assert(transport::Transport<transport::InProcess>);
static_assert(!transport::Transport<int>);

using Sched = Scheduler<transport::InProcess>;

transport::Deadline soon() { return std::chrono::steady_clock::now() + 2s; }

/// Synchronizes a worker and answers its challenge with the worker role's proofs.
result<void> connect(Sched& s, const WorkerId& id, const Worker& w) {
    const std::vector<Bytes> announced = w.platform_public_keys();
    auto challenge = s.synchronize(id, announced);
    if (!challenge) return challenge.error();
    std::vector<keys::VerificationZeros> proofs;
    for (std::size_t i = 0; i < announced.size(); ++i) {
        auto eph = keys::AnyPublicKey::from_der(challenge->ephemeral_public_keys[i]);
        if (!eph) return eph.error();
        auto z = w.prove_possession(announced[i], *eph);
        if (!z) return z.error();
        proofs.push_back(*z);
    }
    return s.prove(id, proofs);
}

struct Fixture {
    Pki pki;
    keys::AnyPrivateKey platform = fresh("x25519");
    Worker worker = Worker::create({platform}, pki.trust(), 3600s).value();
    Client client = Client::create(pki.chain(), pki.client.key).value();
    ManualClock clock;
    Sched scheduler{SchedulerOptions{}, clock.time_source()};

    PendingAction seal(std::string_view text, std::int64_t timeout = 60, NoncePolicy nonce = NoncePolicy::zero) const {
        return client.seal(platform.public_key(), as_bytes(text), AdditionalData{{}, Duration::from_seconds(timeout)}, nonce)
            .value();
    }
    /// Runs one assignment on the worker role: opens it, returns the completion event.
    Bytes run(const Assignment& a, std::string_view result) const {
        auto opened = worker.open(a.action, at(t0)).value();
        return opened.responder.completion_event(as_bytes(result)).value().encode();
    }
};

using sealpipe::test::text;

} // namespace

BOOST_AUTO_TEST_SUITE(scheduler)

BOOST_AUTO_TEST_CASE(proof_of_possession_then_routing) {
    Fixture f;
    // No worker has proven the key: nowhere to route.
    BOOST_TEST((f.scheduler.submit(f.seal("x").bytes()).error() == errc::unknown_platform_key));
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", f.worker).has_value());
    auto sub = f.scheduler.submit(f.seal("count words").bytes());
    BOOST_TEST_REQUIRE(sub.has_value());
    auto a = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->execution_timeout == std::chrono::nanoseconds(60s));
    auto opened = f.worker.open(a->action, at(t0)).value();
    BOOST_TEST(text(opened.plaintext) == "count words");
    BOOST_TEST(f.scheduler.execution_event("bob", a->task, opened.responder.execution_event(as_bytes("50%"))->encode())
                   .has_value());
    BOOST_TEST(f.scheduler.complete("bob", a->task, opened.responder.completion_event(as_bytes("42"))->encode())
                   .has_value());
    const PendingAction pending = f.seal("count words");
    auto u1 = sub->next(soon()).value();
    BOOST_TEST((u1.kind == Update::Kind::execution_event));
    BOOST_TEST(text(pending.open_execution_event(u1.event).value()) == "50%");
    auto u2 = sub->next(soon()).value();
    BOOST_TEST((u2.kind == Update::Kind::completion_event));
    BOOST_TEST(text(pending.open_completion_event(u2.event).value()) == "42");
    BOOST_TEST((sub->next(soon()).error() == errc::cancelled));   // nothing after the final update
    // A worker that cannot verify an action rejects it; the client learns why.
    auto sub2 = f.scheduler.submit(f.seal("from an untrusted client", 60, NoncePolicy::random).bytes()).value();
    auto b = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(f.scheduler.reject("bob", b->task, fail(errc::untrusted_certificate, "client certificate: untrusted"))
                   .has_value());
    auto u3 = sub2.next(soon()).value();
    BOOST_TEST((u3.kind == Update::Kind::failed));
    BOOST_TEST((u3.error == errc::untrusted_certificate));
    // The scheduler refuses garbage events.
    BOOST_TEST((f.scheduler.complete("bob", a->task, as_bytes("\x0b")).error() == errc::malformed_input));
}

BOOST_AUTO_TEST_CASE(rogue_worker_fails_the_proof_and_gets_nothing) {
    Fixture f;
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", f.worker).has_value());
    auto sub = f.scheduler.submit(f.seal("secret work").bytes()).value();

    // Mallory announces Bob's platform key but holds only her own key.
    auto mallory_key = fresh("x25519");
    Worker mallory = Worker::create({mallory_key}, f.pki.trust(), 3600s).value();
    const Bytes bobs_key = f.worker.platform_public_keys()[0];
    auto challenge = f.scheduler.synchronize("mallory", {bobs_key});
    BOOST_TEST_REQUIRE(challenge.has_value());
    auto eph = keys::AnyPublicKey::from_der(challenge->ephemeral_public_keys[0]).value();
    const keys::VerificationZeros guess = mallory.prove_possession(mallory.platform_public_keys()[0], eph).value();
    auto proved = f.scheduler.prove("mallory", std::vector<keys::VerificationZeros>{guess});
    BOOST_TEST((proved.error() == errc::proof_failed));
    BOOST_TEST((f.scheduler.next_action("mallory").error() == errc::proof_failed));
    // Announcing her own key together with Bob's does not help: every key is proven.
    auto c2 = f.scheduler.synchronize("mallory", {mallory.platform_public_keys()[0], bobs_key}).value();
    std::vector<keys::VerificationZeros> proofs{
        mallory.prove_possession(mallory.platform_public_keys()[0],
                                 keys::AnyPublicKey::from_der(c2.ephemeral_public_keys[0]).value())
            .value(),
        guess};
    BOOST_TEST((f.scheduler.prove("mallory", proofs).error() == errc::proof_failed));
    BOOST_TEST((f.scheduler.next_action("mallory").error() == errc::proof_failed));
    // A challenge answers once, and the count must match.
    BOOST_TEST((f.scheduler.prove("mallory", proofs).error() == errc::invalid_argument));
    auto c3 = f.scheduler.synchronize("mallory", {bobs_key}).value();
    (void)c3;
    BOOST_TEST((f.scheduler.prove("mallory", {}).error() == errc::invalid_argument));
    BOOST_TEST(f.scheduler.stats().proofs_failed == 3u);
    // Bob still gets the work.
    auto a = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(f.scheduler.complete("bob", a->task, f.run(*a, "ok")).has_value());
    BOOST_TEST((sub.next(soon())->kind == Update::Kind::completion_event));
    // Announcements must be X25519 or P-256 PKIX keys.
    BOOST_TEST((f.scheduler.synchronize("x", {fresh("ed25519").public_key().to_der()}).error() == errc::invalid_key));
    BOOST_TEST((f.scheduler.synchronize("x", {Bytes{1, 2, 3}}).error() == errc::malformed_input));
    BOOST_TEST((f.scheduler.synchronize("x", {}).error() == errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(key_rotation_worker_proves_every_key) {
    Fixture f;
    auto second = fresh("p256");
    Worker both = Worker::create({f.platform, second}, f.pki.trust(), 3600s).value();
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", both).has_value());
    Pki p256_pki("p256");
    Client p256_client = Client::create(p256_pki.chain(), p256_pki.client.key).value();
    auto p256_action = p256_client.seal(second.public_key(), as_bytes("on P-256"),
                                        AdditionalData{{}, Duration::from_seconds(5)});
    BOOST_TEST_REQUIRE(p256_action.has_value());
    auto s1 = f.scheduler.submit(f.seal("on X25519").bytes());
    auto s2 = f.scheduler.submit(p256_action->bytes());
    BOOST_TEST_REQUIRE((s1 && s2));
    auto a1 = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a1.has_value());
    BOOST_TEST(a1->task == s1->task());   // the oldest first
    BOOST_TEST((f.scheduler.next_action("bob").error() == errc::invalid_argument));   // one at a time
    BOOST_TEST(f.scheduler.complete("bob", a1->task, f.run(*a1, "1")).has_value());
    auto a2 = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a2.has_value());
    BOOST_TEST(a2->platform_pkix_public_key == second.public_key().to_agreement_key()->to_der());
}

BOOST_AUTO_TEST_CASE(in_flight_deduplication) {
    Fixture f;
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", f.worker).has_value());
    const PendingAction action = f.seal("same");
    auto c1 = f.scheduler.submit(action.bytes()).value();
    auto c2 = f.scheduler.submit(action.bytes()).value();
    BOOST_TEST(c1.task() == c2.task());
    auto a = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a.has_value());
    // A third client joins while it runs.
    auto c3 = f.scheduler.submit(action.bytes()).value();
    BOOST_TEST(c3.task() == a->task);
    BOOST_TEST(!f.scheduler.next_action("bob").has_value());   // still running: one at a time
    BOOST_TEST(f.scheduler.complete("bob", a->task, f.run(*a, "shared result")).has_value());
    for (auto* c : {&c1, &c2, &c3}) {
        auto u = c->next(soon()).value();
        BOOST_TEST((u.kind == Update::Kind::completion_event));
        BOOST_TEST(text(action.open_completion_event(u.event).value()) == "shared result");
    }
    BOOST_TEST(f.scheduler.stats().deduplicated == 2u);
    // Once finished, the same bytes run again; random nonces are never merged.
    auto again = f.scheduler.submit(action.bytes()).value();
    BOOST_TEST(again.task() != c1.task());
    auto r1 = f.scheduler.submit(f.seal("same", 60, NoncePolicy::random).bytes()).value();
    auto r2 = f.scheduler.submit(f.seal("same", 60, NoncePolicy::random).bytes()).value();
    BOOST_TEST(r1.task() != r2.task());
    BOOST_TEST(f.scheduler.stats().queued == 3u);
}

BOOST_AUTO_TEST_CASE(execution_timeout_is_enforced) {
    Fixture f;
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", f.worker).has_value());
    auto sub = f.scheduler.submit(f.seal("slow", 10).bytes()).value();
    auto a = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a.has_value());
    f.clock.advance(9s);
    BOOST_TEST(f.scheduler.heartbeat("bob", a->task).has_value());
    f.clock.advance(2s);
    f.scheduler.tick();
    auto u = sub.next(soon()).value();
    BOOST_TEST((u.kind == Update::Kind::failed));
    BOOST_TEST((u.error == errc::timed_out));
    BOOST_TEST(f.scheduler.stats().timed_out == 1u);
    // The worker is told to stop, and is free again.
    BOOST_TEST((f.scheduler.heartbeat("bob", a->task).error() == errc::cancelled));
    BOOST_TEST((f.scheduler.complete("bob", a->task, f.run(*a, "late")).error() == errc::cancelled));
    BOOST_TEST(!f.scheduler.next_action("bob")->has_value());
    // Submitting without a timeout is refused by the scheduler itself.
    Action no_timeout = f.seal("x").action();
    no_timeout.additional_data->execution_timeout.reset();
    BOOST_TEST((f.scheduler.submit(no_timeout.encode()).error() == errc::malformed_input));
}

BOOST_AUTO_TEST_CASE(zero_execution_timeout_times_out_at_once) {
    // Present but zero: valid for Bonanza's worker, which runs it with no time at all.
    Fixture f;
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", f.worker).has_value());
    auto sub = f.scheduler.submit(f.seal("no time at all", 0).bytes());
    BOOST_TEST_REQUIRE(sub.has_value(), (sub ? "" : sub.error().message()));
    auto a = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->execution_timeout.count() == 0);
    auto opened = f.worker.open(a->action, at(t0));
    BOOST_TEST_REQUIRE(opened.has_value(), (opened ? "" : opened.error().message()));
    BOOST_TEST(opened->additional_data.execution_timeout->seconds == 0);
    // Without the clock moving, the worker's next contact finds the deadline passed.
    BOOST_TEST((f.scheduler.heartbeat("bob", a->task).error() == errc::cancelled));
    auto u = sub->next(soon()).value();
    BOOST_TEST((u.kind == Update::Kind::failed));
    BOOST_TEST((u.error == errc::timed_out));
    BOOST_TEST(f.scheduler.stats().timed_out == 1u);
    // A negative timeout is still refused.
    BOOST_TEST((f.scheduler.submit(f.seal("x", -1).bytes()).error() == errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(vanished_worker_action_is_requeued) {
    Fixture f;
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", f.worker).has_value());
    BOOST_TEST_REQUIRE(connect(f.scheduler, "carol", f.worker).has_value());
    auto sub = f.scheduler.submit(f.seal("retry me", 600).bytes()).value();
    auto a = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(!f.scheduler.next_action("carol")->has_value());
    // Carol keeps in touch; Bob goes silent past his 30 s lease.
    f.clock.advance(20s);
    BOOST_TEST(f.scheduler.heartbeat("carol", std::nullopt).has_value());
    f.clock.advance(15s);
    f.scheduler.tick();
    BOOST_TEST(f.scheduler.stats().requeued == 1u);
    BOOST_TEST(f.scheduler.stats().workers == 1u);
    auto again = f.scheduler.next_action("carol").value();
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(again->task == a->task);
    BOOST_TEST(again->action == a->action);
    BOOST_TEST(f.scheduler.complete("carol", again->task, f.run(*again, "done")).has_value());
    BOOST_TEST((sub.next(soon())->kind == Update::Kind::completion_event));
    // Bob comes back: he must synchronize and prove again.
    BOOST_TEST((f.scheduler.complete("bob", a->task, f.run(*a, "stale")).error() == errc::proof_failed));
}

BOOST_AUTO_TEST_CASE(client_going_away_cancels) {
    Fixture f;
    BOOST_TEST_REQUIRE(connect(f.scheduler, "bob", f.worker).has_value());
    {
        auto sub = f.scheduler.submit(f.seal("never mind").bytes()).value();
        BOOST_TEST(f.scheduler.stats().queued == 1u);
    }   // dropped while queued
    BOOST_TEST(f.scheduler.stats().queued == 0u);
    BOOST_TEST(!f.scheduler.next_action("bob")->has_value());

    // Dropped while running: the worker is told to stop.
    auto sub = f.scheduler.submit(f.seal("stop me").bytes()).value();
    auto a = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(a.has_value());
    sub.cancel();
    BOOST_TEST((f.scheduler.heartbeat("bob", a->task).error() == errc::cancelled));
    BOOST_TEST(!f.scheduler.next_action("bob")->has_value());
    BOOST_TEST(f.scheduler.stats().cancelled == 2u);

    // With deduplication, one client leaving does not cancel the others.
    const PendingAction shared = f.seal("shared");
    auto keep = f.scheduler.submit(shared.bytes()).value();
    {
        auto leave = f.scheduler.submit(shared.bytes()).value();
    }
    auto b = f.scheduler.next_action("bob").value();
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(f.scheduler.complete("bob", b->task, f.run(*b, "kept")).has_value());
    BOOST_TEST(text(shared.open_completion_event(keep.next(soon())->event).value()) == "kept");
}

BOOST_AUTO_TEST_CASE(back_pressure) {
    Fixture f;
    Sched small{SchedulerOptions{.worker_lease = 30s, .client_queue_capacity = 3, .max_queued_per_platform = 2},
                f.clock.time_source()};
    BOOST_TEST_REQUIRE(connect(small, "bob", f.worker).has_value());
    auto s1 = small.submit(f.seal("1", 60, NoncePolicy::random).bytes());
    auto s2 = small.submit(f.seal("2", 60, NoncePolicy::random).bytes());
    auto s3 = small.submit(f.seal("3", 60, NoncePolicy::random).bytes());
    BOOST_TEST_REQUIRE((s1 && s2));
    BOOST_TEST((s3.error() == errc::timed_out));
    BOOST_TEST(s3.error().message().find("back-pressure") != std::string::npos);
    // A slow client: progress beyond its queue is dropped, the final update still arrives.
    auto a = small.next_action("bob").value();
    auto opened = f.worker.open(a->action, at(t0)).value();
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(small.execution_event("bob", a->task, opened.responder.execution_event(as_bytes("p"))->encode()).has_value());
    BOOST_TEST(small.complete("bob", a->task, opened.responder.completion_event(as_bytes("end"))->encode()).has_value());
    BOOST_TEST(small.stats().dropped_progress == 3u);
    BOOST_TEST((s1->next(soon())->kind == Update::Kind::execution_event));
    BOOST_TEST((s1->next(soon())->kind == Update::Kind::execution_event));
    BOOST_TEST((s1->next(soon())->kind == Update::Kind::completion_event));

    // The channel itself: full → try_send refuses, send waits until the deadline.
    auto ch = transport::InProcess::make_channel<int>(1);
    BOOST_TEST(ch->try_send(1).has_value());
    BOOST_TEST((ch->try_send(2).error() == errc::timed_out));
    BOOST_TEST((ch->send(2, std::chrono::steady_clock::now() + 5ms).error() == errc::timed_out));
    // A receiver on another thread makes room; the blocked sender proceeds.
    std::thread reader([&] { (void)ch->receive(soon()); });
    BOOST_TEST(ch->send(3, soon()).has_value());
    reader.join();
    BOOST_TEST(ch->receive(soon()).value() == 3);
    BOOST_TEST((ch->receive(std::chrono::steady_clock::now() + 1ms).error() == errc::timed_out));
    ch->close();
    BOOST_TEST((ch->send(4, soon()).error() == errc::cancelled));
    BOOST_TEST((ch->receive(soon()).error() == errc::cancelled));
}

BOOST_AUTO_TEST_CASE(threads_over_the_in_process_transport) {
    // Four clients and two workers on their own threads; every client gets its own result.
    Fixture f;
    Sched s;   // the real monotonic clock
    BOOST_TEST_REQUIRE(connect(s, "w1", f.worker).has_value());
    BOOST_TEST_REQUIRE(connect(s, "w2", f.worker).has_value());
    std::atomic<bool> stop{false};
    std::atomic<int> executed{0};
    auto work = [&](const WorkerId& id) {
        while (!stop) {
            auto a = s.next_action(id);
            if (!a || !*a) {
                std::this_thread::yield();
                continue;
            }
            auto opened = f.worker.open((*a)->action, at(t0)).value();
            const std::string out = "len=" + std::to_string(opened.plaintext.size());
            (void)s.complete(id, (*a)->task, opened.responder.completion_event(as_bytes(out))->encode());
            ++executed;
        }
    };
    std::thread w1(work, "w1"), w2(work, "w2");
    std::vector<std::string> results(4);
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) {
        clients.emplace_back([&, i] {
            const PendingAction p = f.seal(std::string(static_cast<std::size_t>(i + 1), 'x'), 60, NoncePolicy::random);
            auto sub = s.submit(p.bytes());
            if (!sub) return;
            auto u = sub->next(std::chrono::steady_clock::now() + 10s);
            if (u && u->kind == Update::Kind::completion_event) results[static_cast<std::size_t>(i)] = text(p.open_completion_event(u->event).value());
        });
    }
    for (auto& c : clients) c.join();
    stop = true;
    w1.join();
    w2.join();
    for (int i = 0; i < 4; ++i) BOOST_TEST(results[static_cast<std::size_t>(i)] == "len=" + std::to_string(i + 1));
    BOOST_TEST(executed.load() == 4);
}

BOOST_AUTO_TEST_SUITE_END()
