// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Bonanza's scheduler semantics over gRPC, message by message (doc/protocol.md, "Over the
// network"): Synchronize (sorted keys, the verification round and its rotation, long-poll,
// executing reports, completion and rejection, concurrent calls, vanished workers, resends,
// prefer_being_idle) and Execute / WaitExecution (first message, events once, keepalives,
// errors, deduplication, priority, clients that go away).
#include <sealpipe/net.hpp>

#include "unit/net/fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <future>
#include <string>
#include <thread>

using namespace sealpipe;
using namespace sealpipe::test;
using namespace std::chrono_literals;

namespace {

/// A served scheduler on a manual clock (deadlines move only when the test says), a client
/// PKI, and platform keys.
struct Served {
    execution::ManualClock clock;
    NowPki pki;
    keys::AnyPrivateKey platform = fresh("x25519");
    net::SchedulerServer server;

    explicit Served(execution::SchedulerOptions o = net::bonanza_scheduler_options(), net::StreamOptions s = {})
        : server(o, s, clock.time_source()) {
        BOOST_REQUIRE(server.start(net::ServerOptions{}).has_value());
    }

    execution::Worker worker(std::vector<keys::AnyPrivateKey> keys = {}) {
        if (keys.empty()) keys.push_back(platform);
        return execution::Worker::create(std::move(keys), pki.trust(), 3600s).value();
    }
    std::unique_ptr<rx::Execution::Stub> execution_stub() {
        return rx::Execution::NewStub(net::make_channel({.url = url(server)}).value());
    }
    /// An Execute request for `plaintext` (zero nonce unless told).
    rx::ExecuteRequest request(std::string_view plaintext, std::int32_t priority = 0,
                               execution::NoncePolicy nonce = execution::NoncePolicy::zero, std::int64_t timeout = 60) {
        auto a = pki.make_client()
                     .seal(platform.public_key(), as_bytes(plaintext),
                           execution::AdditionalData{{}, execution::Duration::from_seconds(timeout)}, nonce)
                     .value();
        rx::ExecuteRequest r;
        BOOST_REQUIRE(r.mutable_action()->ParseFromArray(a.bytes().data(), static_cast<int>(a.bytes().size())));
        r.set_priority(priority);
        return r;
    }
};

/// One client stream, read message by message.
struct Stream {
    ::grpc::ClientContext context;
    std::unique_ptr<::grpc::ClientReader<rx::ExecuteResponse>> reader;
    Stream(rx::Execution::Stub& stub, const rx::ExecuteRequest& r) : reader(stub.Execute(&context, r)) {}
    Stream(rx::Execution::Stub& stub, const std::string& name) {
        rx::WaitExecutionRequest w;
        w.set_name(name);
        reader = stub.WaitExecution(&context, w);
    }
    std::optional<rx::ExecuteResponse> read() {
        rx::ExecuteResponse r;
        if (!reader->Read(&r)) return std::nullopt;
        return r;
    }
    /// Reads to the end; returns the status and the messages.
    ::grpc::Status finish(std::vector<rx::ExecuteResponse>* seen = nullptr) {
        while (auto r = read())
            if (seen) seen->push_back(*r);
        return reader->Finish();
    }
};

bool near(const ::google::protobuf::Timestamp& t, std::chrono::seconds from_now, std::chrono::seconds slack = 1s) {
    const auto at = net::detail::time_point(t);
    const auto want = std::chrono::system_clock::now() + from_now;
    return at > want - slack && at < want + slack;
}

rw::CurrentState executing(const std::string& uuid, const Bytes& event = {}) {
    rw::CurrentState s;
    s.mutable_executing()->set_task_uuid(uuid);
    if (!event.empty()) BOOST_REQUIRE(s.mutable_executing()->mutable_event()->ParseFromArray(event.data(), static_cast<int>(event.size())));
    return s;
}
rw::CurrentState completed(const std::string& uuid, const Bytes& event) {
    rw::CurrentState s;
    s.mutable_completed()->set_task_uuid(uuid);
    BOOST_REQUIRE(s.mutable_completed()->mutable_event()->ParseFromArray(event.data(), static_cast<int>(event.size())));
    return s;
}

/// The worker's view of an Executing directive: the action opened, to seal events with.
execution::OpenedAction open(RawWorker& w, const rw::DesiredState::Executing& e) {
    return w.worker.open(net::detail::serialize(e.action()), std::chrono::system_clock::now()).value();
}

} // namespace

BOOST_AUTO_TEST_SUITE(net_synchronize)

BOOST_AUTO_TEST_CASE(malformed_requests_are_invalid_argument) {
    Served s;
    RawWorker w(s.server, s.worker({s.platform, fresh("p256")}), "w");
    rw::SynchronizeResponse r;
    // Unsorted keys.
    auto q = w.request(RawWorker::idle());
    q.mutable_public_keys()->SwapElements(0, 1);
    BOOST_TEST(w.call(q, r).error_code() == ::grpc::INVALID_ARGUMENT);
    // No keys.
    q = w.request(RawWorker::idle());
    q.clear_public_keys();
    BOOST_TEST(w.call(q, r).error_code() == ::grpc::INVALID_ARGUMENT);
    // No current state.
    q = w.request(RawWorker::idle());
    q.clear_current_state();
    BOOST_TEST(w.call(q, r).error_code() == ::grpc::INVALID_ARGUMENT);
    // Not a PKIX key; a key of a curve that cannot be verified (P-384).
    q = w.request(RawWorker::idle());
    q.mutable_public_keys(0)->set_pkix_public_key("not a key");
    BOOST_TEST(w.call(q, r).error_code() == ::grpc::INVALID_ARGUMENT);
    RawWorker p384(s.server, execution::Worker::create({fresh("x25519")}, s.pki.trust(), 3600s).value(), "p");
    p384.keys = {fresh("p384").public_key().to_der()};
    p384.zeros = {Bytes{}};
    BOOST_TEST(p384.call(p384.request(RawWorker::idle()), r).error_code() == ::grpc::INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(verification_round_one_key_per_curve_then_zeros_on_every_call) {
    Served s;
    RawWorker w(s.server, s.worker({s.platform, fresh("p256"), fresh("x25519")}), "w");
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    BOOST_REQUIRE(r.desired_state().has_verifying_public_keys());
    const auto& v = r.desired_state().verifying_public_keys().verification_pkix_public_keys();
    BOOST_REQUIRE(v.size() == 2);   // X25519 and P-256, in the order the curves first appear
    const auto first = keys::AnyPublicKey::from_der(w.keys[0]).value();
    BOOST_TEST(keys::AnyPublicKey::from_der(as_bytes(v[0])).value().type_name() == first.type_name());
    BOOST_TEST(near(r.next_synchronization_at(), 0s));
    BOOST_TEST(s.server.scheduler().stats().proven_workers == 0u);

    w.prove(r);
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle(), true), r).ok());
    BOOST_TEST(r.desired_state().has_idle());
    BOOST_TEST(s.server.scheduler().stats().proven_workers == 1u);

    // The zeros go with every call: a call without them is challenged again.
    auto zeros = w.zeros;
    for (auto& z : w.zeros) z.clear();
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle(), true), r).ok());
    BOOST_TEST(r.desired_state().has_verifying_public_keys());
    w.zeros = zeros;
}

BOOST_AUTO_TEST_CASE(a_wrong_proof_gets_nothing_but_a_new_challenge) {
    Served s;
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("for the honest worker"));
    BOOST_REQUIRE(client.read().has_value());   // queued

    // A rogue worker announcing the same platform key without its private key.
    RawWorker rogue(s.server, s.worker({fresh("x25519")}), "rogue");
    const auto own = rogue.keys;
    rogue.keys = w.keys;
    rogue.zeros = {Bytes(16, 0x42)};
    for (int i = 0; i < 3; ++i) {
        rw::SynchronizeResponse r;
        BOOST_REQUIRE(rogue.call(rogue.request(RawWorker::idle()), r).ok());
        BOOST_TEST(r.desired_state().has_verifying_public_keys());   // never the action
        rogue.keys = own;   // proves with the key it holds: wrong for the key it announces
        rogue.prove(r);
        rogue.keys = w.keys;
    }
    BOOST_TEST(s.server.scheduler().stats().running == 0u);
    BOOST_TEST(s.server.scheduler().stats().proofs_failed >= 3u);
}

BOOST_AUTO_TEST_CASE(verification_keys_rotate) {
    execution::SchedulerOptions o = net::bonanza_scheduler_options();
    o.verification_key_rotation = std::chrono::hours(1);
    Served s(o);
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle(), true), r).ok());
    BOOST_TEST(r.desired_state().has_idle());   // the proof still holds
    s.clock.advance(std::chrono::hours(1));
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle(), true), r).ok());
    BOOST_REQUIRE(r.desired_state().has_verifying_public_keys());   // a new key: prove again
    w.prove(r);
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle(), true), r).ok());
    BOOST_TEST(r.desired_state().has_idle());
}

BOOST_AUTO_TEST_CASE(idle_call_is_held_and_woken_at_once_by_work) {
    execution::SchedulerOptions o = net::bonanza_scheduler_options();
    o.idle_poll = std::chrono::seconds(60);
    Served s(o);
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    const auto calls = s.server.scheduler().stats().sync_calls;
    auto polled = std::async(std::launch::async, [&] {   // no Boost.Test here: it is not thread-safe
        rw::SynchronizeResponse r;
        auto st = w.call(w.request(RawWorker::idle()), r, 30s);
        return std::make_pair(st, r);
    });
    BOOST_REQUIRE(eventually([&] { return s.server.scheduler().stats().sync_calls > calls; }));
    BOOST_TEST((polled.wait_for(0s) == std::future_status::timeout));   // held: no work yet
    auto x = s.execution_stub();
    const auto request = s.request("wake up");
    Stream client(*x, request);
    auto [st, r] = polled.get();
    BOOST_TEST(st.ok(), st.error_message());
    BOOST_REQUIRE(r.desired_state().has_executing());
    BOOST_TEST(r.desired_state().executing().action().SerializeAsString() == request.action().SerializeAsString());
    BOOST_TEST(r.desired_state().executing().effective_execution_timeout().seconds() == 60);
    BOOST_TEST(r.desired_state().executing().task_uuid().size() == 36u);
}

BOOST_AUTO_TEST_CASE(idle_call_is_bounded) {
    execution::SchedulerOptions o = net::bonanza_scheduler_options();
    o.idle_poll = std::chrono::milliseconds(50);
    Served s(o);
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    BOOST_TEST(r.desired_state().has_idle());
}

BOOST_AUTO_TEST_CASE(prefer_being_idle_answers_idle_even_with_work_queued) {
    Served s;
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("queued"));
    BOOST_REQUIRE(client.read().has_value());
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle(), true), r).ok());
    BOOST_TEST(r.desired_state().has_idle());
    BOOST_TEST(s.server.scheduler().stats().queued == 1u);
}

BOOST_AUTO_TEST_CASE(executing_reports_do_not_block_and_each_event_reaches_the_client_once) {
    net::StreamOptions st;
    st.keepalive = std::chrono::hours(1);   // no keepalive in this test's messages
    Served s(net::bonanza_scheduler_options(), st);
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("events"));
    BOOST_REQUIRE(client.read()->has_queued());
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    const auto task = r.desired_state().executing();
    auto opened = open(w, task);
    const Bytes e1 = opened.responder.execution_event(as_bytes("step 1")).value().encode();
    const Bytes e2 = opened.responder.execution_event(as_bytes("step 2")).value().encode();
    for (const Bytes* e : {&e1, &e1, &e2, &e2}) {
        r.Clear();
        BOOST_REQUIRE(w.call(w.request(executing(task.task_uuid(), *e)), r).ok());
        BOOST_TEST(!r.has_desired_state());                   // carry on
        BOOST_TEST(near(r.next_synchronization_at(), 2s));    // and report again in 2 s
    }
    const Bytes done = opened.responder.completion_event(as_bytes("done")).value().encode();
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(completed(task.task_uuid(), done), true), r).ok());
    std::vector<rx::ExecuteResponse> seen;
    BOOST_REQUIRE(client.finish(&seen).ok());   // completed, then OK
    std::vector<std::string> events;
    for (const auto& m : seen)
        if (m.has_executing() && m.executing().has_last_event()) events.push_back(m.executing().last_event().SerializeAsString());
    BOOST_REQUIRE(events.size() == 2u);
    BOOST_TEST(events[0] == std::string(as_chars(ByteView(e1))));
    BOOST_TEST(events[1] == std::string(as_chars(ByteView(e2))));
    BOOST_REQUIRE(seen.back().has_completed());
    BOOST_TEST(seen.back().completed().completion_event().SerializeAsString() == std::string(as_chars(ByteView(done))));
}

BOOST_AUTO_TEST_CASE(rejection_fails_the_stream_with_the_workers_code) {
    Served s;
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("rejected"));
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    rw::CurrentState rejected;
    rejected.mutable_rejected()->set_task_uuid(r.desired_state().executing().task_uuid());
    rejected.mutable_rejected()->mutable_reason()->set_code(::grpc::PERMISSION_DENIED);
    rejected.mutable_rejected()->mutable_reason()->set_message("untrusted client");
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(rejected, true), r).ok());
    const auto status = client.finish();
    BOOST_TEST(status.error_code() == ::grpc::PERMISSION_DENIED);
    BOOST_TEST(status.error_message() == "Action rejected by worker: untrusted client");
}

BOOST_AUTO_TEST_CASE(a_concurrent_call_with_the_same_worker_id_is_resource_exhausted) {
    Served s;
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    const auto calls = s.server.scheduler().stats().sync_calls;
    auto held = std::async(std::launch::async, [&] {
        rw::SynchronizeResponse r;
        return w.call(w.request(RawWorker::idle()), r, 30s).ok();
    });
    BOOST_REQUIRE(eventually([&] { return s.server.scheduler().stats().sync_calls > calls; }));
    rw::SynchronizeResponse r;
    BOOST_TEST(w.call(w.request(RawWorker::idle(), true), r).error_code() == ::grpc::RESOURCE_EXHAUSTED);
    auto x = s.execution_stub();
    Stream client(*x, s.request("release the held call"));
    BOOST_TEST(held.get());
}

BOOST_AUTO_TEST_CASE(a_held_call_that_goes_away_frees_its_worker_and_loses_no_work) {
    Served s;   // idle_poll of a minute: only the cancellation ends the held call
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    const auto calls = s.server.scheduler().stats().sync_calls;
    ::grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 30s);
    auto held = std::async(std::launch::async, [&] {
        rw::SynchronizeResponse r;
        return w.stub->Synchronize(&context, w.request(RawWorker::idle()), &r).error_code();
    });
    BOOST_REQUIRE(eventually([&] { return s.server.scheduler().stats().sync_calls > calls; }));
    context.TryCancel();
    BOOST_TEST(held.get() == ::grpc::CANCELLED);
    // The parked call was released: the same worker calls again at once, and work that comes
    // after the cancellation goes to its next call rather than to the call that went away.
    BOOST_REQUIRE(eventually([&] {
        rw::SynchronizeResponse r;
        return w.call(w.request(RawWorker::idle(), true), r).ok() && r.desired_state().has_idle();
    }));
    auto x = s.execution_stub();
    const auto request = s.request("after the cancellation");
    Stream client(*x, request);
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    BOOST_REQUIRE(r.desired_state().has_executing());
    BOOST_TEST(r.desired_state().executing().action().SerializeAsString() == request.action().SerializeAsString());
}

BOOST_AUTO_TEST_CASE(a_vanished_worker_fails_its_task_unavailable) {
    Served s;   // Bonanza: no requeue
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("abandoned by its worker"));
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    BOOST_REQUIRE(r.desired_state().has_executing());
    s.clock.advance(61s);   // no call for over a minute
    s.server.scheduler().tick();
    const auto status = client.finish();
    BOOST_TEST(status.error_code() == ::grpc::UNAVAILABLE);
}

BOOST_AUTO_TEST_CASE(requeue_option_gives_the_task_to_another_worker) {
    execution::SchedulerOptions o = net::bonanza_scheduler_options();
    o.max_attempts = 2;
    Served s(o);
    RawWorker a(s.server, s.worker(), "a"), b(s.server, s.worker(), "b");
    a.register_idle();
    b.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("requeued"));
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(a.call(a.request(RawWorker::idle()), r).ok());
    const std::string uuid = r.desired_state().executing().task_uuid();
    s.clock.advance(61s);
    s.server.scheduler().tick();   // a vanished (b too, but b calls again)
    b.register_idle();
    r.Clear();
    BOOST_REQUIRE(b.call(b.request(RawWorker::idle()), r).ok());
    BOOST_REQUIRE(r.desired_state().has_executing());
    BOOST_TEST(r.desired_state().executing().task_uuid() == uuid);
    auto opened = open(b, r.desired_state().executing());
    r.Clear();
    BOOST_REQUIRE(b.call(b.request(completed(uuid, opened.responder.completion_event(as_bytes("ok")).value().encode()), true), r).ok());
    BOOST_TEST(client.finish().ok());
    BOOST_TEST(s.server.scheduler().stats().requeued == 1u);
}

BOOST_AUTO_TEST_CASE(a_forgotten_task_is_sent_again_then_fails_internal) {
    execution::SchedulerOptions o = net::bonanza_scheduler_options();
    o.max_resends = 2;
    Served s(o);
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("forgotten"));
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    const std::string uuid = r.desired_state().executing().task_uuid();
    for (int i = 0; i < 2; ++i) {   // the worker says idle: it gets its task again
        r.Clear();
        BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
        BOOST_REQUIRE(r.desired_state().has_executing());
        BOOST_TEST(r.desired_state().executing().task_uuid() == uuid);
    }
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle(), true), r).ok());   // once too often
    BOOST_TEST(client.finish().error_code() == ::grpc::INTERNAL);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(net_execute)

BOOST_AUTO_TEST_CASE(first_message_at_once_then_keepalives) {
    net::StreamOptions st;
    st.keepalive = std::chrono::milliseconds(20);
    Served s(net::bonanza_scheduler_options(), st);
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream client(*x, s.request("nobody runs me yet"));
    auto first = client.read();
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(first->has_queued());
    BOOST_TEST(first->name().size() == 36u);
    for (int i = 0; i < 3; ++i) {   // the stage again, as keepalives
        auto again = client.read();
        BOOST_REQUIRE(again.has_value());
        BOOST_TEST(again->has_queued());
        BOOST_TEST(again->name() == first->name());
    }
}

BOOST_AUTO_TEST_CASE(bad_requests_fail_with_the_documented_codes) {
    execution::SchedulerOptions o = net::bonanza_scheduler_options();
    o.max_execution_timeout = std::chrono::hours(1);
    Served s(o);
    auto x = s.execution_stub();
    // A platform key no worker has: FAILED_PRECONDITION.
    BOOST_TEST(Stream(*x, s.request("nobody")).finish().error_code() == ::grpc::FAILED_PRECONDITION);
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    // No action.
    BOOST_TEST(Stream(*x, rx::ExecuteRequest{}).finish().error_code() == ::grpc::INVALID_ARGUMENT);
    // No execution timeout; one above the scheduler's maximum.
    auto r = s.request("no timeout");
    r.mutable_action()->mutable_additional_data()->clear_execution_timeout();
    BOOST_TEST(Stream(*x, r).finish().error_code() == ::grpc::INVALID_ARGUMENT);
    BOOST_TEST(Stream(*x, s.request("too long", 0, execution::NoncePolicy::zero, 7200)).finish().error_code() ==
               ::grpc::INVALID_ARGUMENT);
    // Unknown fields in the action: the strict codec refuses them.
    r = s.request("unknown field");
    r.mutable_action()->GetReflection()->MutableUnknownFields(r.mutable_action())->AddVarint(99, 1);
    BOOST_TEST(Stream(*x, r).finish().error_code() == ::grpc::INVALID_ARGUMENT);
}

BOOST_AUTO_TEST_CASE(unknown_platform_is_unavailable_during_the_startup_grace) {
    execution::SchedulerOptions o = net::bonanza_scheduler_options();
    o.startup_grace = std::chrono::seconds(30);
    Served s(o);
    auto x = s.execution_stub();
    BOOST_TEST(Stream(*x, s.request("too early")).finish().error_code() == ::grpc::UNAVAILABLE);
    s.clock.advance(31s);
    BOOST_TEST(Stream(*x, s.request("too late")).finish().error_code() == ::grpc::FAILED_PRECONDITION);
}

BOOST_AUTO_TEST_CASE(identical_zero_nonce_actions_share_one_task_and_name) {
    Served s;
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    const auto request = s.request("same bytes");
    Stream one(*x, request), two(*x, request);
    const auto n1 = one.read()->name(), n2 = two.read()->name();
    BOOST_TEST(n1 == n2);
    BOOST_TEST(s.server.scheduler().stats().deduplicated == 1u);
    BOOST_TEST(s.server.scheduler().stats().queued == 1u);
    // A random nonce is another action.
    Stream three(*x, s.request("same bytes", 0, execution::NoncePolicy::random));
    BOOST_TEST(three.read()->name() != n1);
    BOOST_TEST(s.server.scheduler().stats().queued == 2u);
}

BOOST_AUTO_TEST_CASE(priority_then_oldest_first) {
    Served s;
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    Stream a(*x, s.request("A", 5)), b(*x, s.request("B", 1)), c(*x, s.request("C", 1)), d(*x, s.request("D", -3));
    for (Stream* st : {&a, &b, &c, &d}) BOOST_REQUIRE(st->read().has_value());   // all queued, in this order
    std::string order;
    for (int i = 0; i < 4; ++i) {
        rw::SynchronizeResponse r;
        rw::CurrentState state = RawWorker::idle();
        BOOST_REQUIRE(w.call(w.request(state), r).ok());
        const std::string uuid = r.desired_state().executing().task_uuid();
        auto opened = open(w, r.desired_state().executing());
        order += std::string(as_chars(ByteView(opened.plaintext)));
        r.Clear();
        BOOST_REQUIRE(
            w.call(w.request(completed(uuid, opened.responder.completion_event(as_bytes("x")).value().encode()), true), r)
                .ok());
    }
    BOOST_TEST(order == "DBCA");
}

BOOST_AUTO_TEST_CASE(wait_execution_by_name_and_not_found) {
    Served s;
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    BOOST_TEST(Stream(*x, std::string("no-such-operation")).finish().error_code() == ::grpc::NOT_FOUND);
    Stream first(*x, s.request("waited for"));
    const std::string name = first.read()->name();
    Stream second(*x, name);   // attaches to the live operation (no deadlock)
    BOOST_TEST(second.read()->name() == name);
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
    const auto task = r.desired_state().executing();
    auto opened = open(w, task);
    r.Clear();
    BOOST_REQUIRE(w.call(w.request(completed(task.task_uuid(), opened.responder.completion_event(as_bytes("both")).value().encode()), true), r).ok());
    BOOST_TEST(first.finish().ok());
    BOOST_TEST(second.finish().ok());
    // Recently finished: attaching gives the completion at once.
    std::vector<rx::ExecuteResponse> seen;
    BOOST_TEST(Stream(*x, name).finish(&seen).ok());
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].has_completed());
}

BOOST_AUTO_TEST_CASE(a_client_that_goes_away_cancels_after_the_grace_and_the_worker_is_sent_idle) {
    Served s;   // grace: a minute of the manual clock
    RawWorker w(s.server, s.worker(), "w");
    w.register_idle();
    auto x = s.execution_stub();
    std::string name;
    {
        Stream client(*x, s.request("abandoned by its client"));
        name = client.read()->name();
        rw::SynchronizeResponse r;
        BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());
        BOOST_REQUIRE(r.desired_state().has_executing());
        client.context.TryCancel();
    }
    const std::string uuid = [&] {
        rw::SynchronizeResponse r;
        BOOST_REQUIRE(w.call(w.request(RawWorker::idle()), r).ok());   // sent again: still running
        return r.desired_state().executing().task_uuid();
    }();
    // The server notices the client is gone; within the grace period the operation lives on.
    BOOST_REQUIRE(eventually([&] { return s.server.scheduler().stats().clients_gone == 1u; }));
    s.clock.advance(30s);
    {
        rw::SynchronizeResponse r;
        BOOST_REQUIRE(w.call(w.request(executing(uuid)), r).ok());
        BOOST_TEST(!r.has_desired_state());   // carry on
    }
    s.clock.advance(31s);
    s.server.scheduler().tick();
    BOOST_TEST(s.server.scheduler().stats().cancelled == 1u);
    rw::SynchronizeResponse r;
    BOOST_REQUIRE(w.call(w.request(executing(uuid)), r).ok());
    BOOST_TEST(r.desired_state().has_idle());   // stop it
    // Recently cancelled: WaitExecution says so.
    BOOST_TEST(Stream(*x, name).finish().error_code() == ::grpc::CANCELLED);
}

BOOST_AUTO_TEST_SUITE_END()
