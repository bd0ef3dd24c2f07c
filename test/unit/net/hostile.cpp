// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Peers that do not play by the rules: a scheduler that streams without end, sends messages
// over the limit, or never answers; a client that sends an oversized request. Each ends with
// a clear error within the limits and deadlines, on both sides.
#include <sealpipe/net.hpp>

#include "unit/net/fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>

using namespace sealpipe;
using namespace sealpipe::test;
using namespace std::chrono_literals;

namespace {

/// A fake scheduler: `Execute` and `WaitExecution` run `stream`, `Synchronize` runs `sync`.
struct Fake {
    struct Execution final : rx::Execution::Service {
        std::function<::grpc::Status(::grpc::ServerContext*, ::grpc::ServerWriter<rx::ExecuteResponse>*)> stream;
        ::grpc::Status Execute(::grpc::ServerContext* c, const rx::ExecuteRequest*,
                               ::grpc::ServerWriter<rx::ExecuteResponse>* w) override {
            return stream(c, w);
        }
        ::grpc::Status WaitExecution(::grpc::ServerContext* c, const rx::WaitExecutionRequest*,
                                     ::grpc::ServerWriter<rx::ExecuteResponse>* w) override {
            return stream(c, w);
        }
    };
    struct Queue final : rw::OperationQueue::Service {
        std::function<::grpc::Status(::grpc::ServerContext*)> sync;
        ::grpc::Status Synchronize(::grpc::ServerContext* c, const rw::SynchronizeRequest*,
                                   rw::SynchronizeResponse*) override {
            return sync(c);
        }
    };
    Execution execution;
    Queue queue;
    std::unique_ptr<::grpc::Server> server;
    int port = 0;

    void start() {
        ::grpc::ServerBuilder b;
        b.AddListeningPort("127.0.0.1:0", ::grpc::InsecureServerCredentials(), &port);
        b.SetMaxSendMessageSize(64 << 20);   // the fake sends what the client must refuse
        b.RegisterService(&execution);
        b.RegisterService(&queue);
        server = b.BuildAndStart();
        BOOST_REQUIRE(server && port != 0);
    }
    ~Fake() {
        if (server) server->Shutdown(std::chrono::system_clock::now() + 1s);
    }
    std::string url() const { return "grpc://127.0.0.1:" + std::to_string(port); }
};

struct Parties {
    NowPki pki;
    keys::AnyPrivateKey platform = fresh("x25519");
    execution::AdditionalData ad{{}, execution::Duration::from_seconds(60)};
};

} // namespace

BOOST_AUTO_TEST_SUITE(net_hostile)

BOOST_AUTO_TEST_CASE(a_scheduler_that_streams_without_end_is_cut_off) {
    std::atomic<long> sent{0};
    std::atomic<bool> cancelled{false};
    Fake fake;   // after what its handlers use: it is shut down first
    fake.execution.stream = [&](::grpc::ServerContext* c, ::grpc::ServerWriter<rx::ExecuteResponse>* w) {
        rx::ExecuteResponse r;
        r.set_name("op");
        r.mutable_queued();
        while (w->Write(r)) ++sent;
        cancelled = c->IsCancelled();
        return ::grpc::Status::OK;
    };
    fake.start();
    Parties p;
    auto client = net::RemoteClient::connect(p.pki.make_client(),
                                             {.url = fake.url(), .max_idle_stream_messages = 1000})
                      .value();
    auto x = client.execute(p.platform.public_key(), as_bytes("x"), p.ad);
    BOOST_REQUIRE(x.has_value());
    auto e = x->next();
    BOOST_REQUIRE(!e.has_value());
    BOOST_TEST((e.error() == errc::size_limit_exceeded), e.error().message());
    BOOST_TEST(e.error().message().find("1001 messages within a minute") != std::string::npos, e.error().message());
    // The client hung up: the endless writer sees its stream end.
    BOOST_TEST(eventually([&] { return cancelled.load(); }));
}

BOOST_AUTO_TEST_CASE(keepalives_at_their_pace_never_reach_the_limit) {
    // Twenty repeats of the stage, two per window of the limit: a scheduler's keepalives over
    // a long action. The stream runs until the scheduler ends it, not until the client does.
    Fake fake;
    fake.execution.stream = [&](::grpc::ServerContext*, ::grpc::ServerWriter<rx::ExecuteResponse>* w) {
        rx::ExecuteResponse r;
        r.set_name("op");
        r.mutable_queued();
        for (int i = 0; i < 20; ++i) {
            if (!w->Write(r)) return ::grpc::Status::OK;
            std::this_thread::sleep_for(60ms);
        }
        return ::grpc::Status(::grpc::UNAVAILABLE, "the scheduler is shutting down");
    };
    fake.start();
    Parties p;
    net::ChannelOptions o{.url = fake.url(), .max_idle_stream_messages = 3};
    o.idle_stream_window = 150ms;
    auto client = net::RemoteClient::connect(p.pki.make_client(), o).value();
    auto x = client.execute(p.platform.public_key(), as_bytes("x"), p.ad);
    BOOST_REQUIRE(x.has_value());
    auto e = x->next();
    BOOST_REQUIRE(!e.has_value());
    BOOST_TEST((e.error() == errc::backend_unavailable), e.error().message());
}

BOOST_AUTO_TEST_CASE(a_message_over_the_limit_from_the_scheduler_is_refused) {
    Fake fake;
    fake.execution.stream = [&](::grpc::ServerContext*, ::grpc::ServerWriter<rx::ExecuteResponse>* w) {
        rx::ExecuteResponse r;
        r.set_name(std::string(8 << 20, 'n'));   // twice the default limit
        r.mutable_queued();
        w->Write(r);
        return ::grpc::Status::OK;
    };
    fake.start();
    Parties p;
    auto client = net::RemoteClient::connect(p.pki.make_client(), {.url = fake.url()}).value();
    auto x = client.execute(p.platform.public_key(), as_bytes("x"), p.ad);
    BOOST_REQUIRE(x.has_value());
    auto e = x->next();
    BOOST_REQUIRE(!e.has_value());
    BOOST_TEST(e.error().message().find("RESOURCE_EXHAUSTED") != std::string::npos, e.error().message());
}

BOOST_AUTO_TEST_CASE(a_silent_scheduler_leaves_the_stream_at_its_deadline) {
    Fake fake;
    fake.execution.stream = [&](::grpc::ServerContext* c, ::grpc::ServerWriter<rx::ExecuteResponse>*) {
        while (!c->IsCancelled()) std::this_thread::sleep_for(10ms);
        return ::grpc::Status::OK;
    };
    fake.start();
    Parties p;
    net::ChannelOptions o{.url = fake.url()};
    o.stream_deadline = 1s;   // no deadline given by the caller: the channel's applies
    auto client = net::RemoteClient::connect(p.pki.make_client(), o).value();
    const auto start = std::chrono::steady_clock::now();
    auto x = client.execute(p.platform.public_key(), as_bytes("x"), p.ad);
    BOOST_REQUIRE(x.has_value());
    auto e = x->next();
    BOOST_REQUIRE(!e.has_value());
    BOOST_TEST((e.error() == errc::timed_out), e.error().message());
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
}

BOOST_AUTO_TEST_CASE(a_scheduler_that_never_answers_a_worker_is_left_at_the_call_deadline) {
    std::atomic<int> calls{0};
    std::atomic<int> ended_by_deadline{0};
    Fake fake;   // after what its handlers use: it is shut down first
    fake.queue.sync = [&](::grpc::ServerContext* c) {
        ++calls;
        while (!c->IsCancelled()) std::this_thread::sleep_for(10ms);
        ++ended_by_deadline;
        return ::grpc::Status::OK;
    };
    fake.start();
    Parties p;
    auto worker = net::RemoteWorker::connect(execution::Worker::create({p.platform}, p.pki.trust(), 3600s).value(),
                                             {.url = fake.url()},
                                             net::WorkerOptions{.worker_id = {{"w", "1"}}, .call_timeout = 300ms})
                      .value();
    std::atomic<bool> stop{false};
    std::thread t([&] {
        (void)worker.run([](const net::RemoteTask&, net::Progress&) { return net::Outcome{}; }, stop);
    });
    // Each call is abandoned at its deadline, and the worker calls again.
    BOOST_TEST(eventually([&] { return ended_by_deadline.load() >= 2; }, 20s));
    stop = true;
    worker.wake();
    t.join();
    BOOST_TEST(calls.load() >= 2);
}

BOOST_AUTO_TEST_CASE(an_oversized_request_is_refused_by_the_scheduler) {
    net::SchedulerServer server;
    net::ServerOptions o;
    o.max_message_bytes = 1 << 20;
    BOOST_REQUIRE(server.start(o).has_value());
    // A client whose own limit is larger sends 2 MiB; the server refuses it unread.
    auto stub = rx::Execution::NewStub(net::make_channel({.url = url(server), .max_message_bytes = 8 << 20}).value());
    rx::ExecuteRequest request;
    request.mutable_action()->set_ciphertext(std::string(2 << 20, 'c'));
    ::grpc::ClientContext c;
    c.set_deadline(std::chrono::system_clock::now() + 10s);
    auto reader = stub->Execute(&c, request);
    rx::ExecuteResponse r;
    while (reader->Read(&r)) {}
    const ::grpc::Status s = reader->Finish();
    BOOST_TEST(s.error_code() == ::grpc::RESOURCE_EXHAUSTED, s.error_message());
    BOOST_TEST(server.scheduler().stats().queued == 0u);
}

BOOST_AUTO_TEST_CASE(periods_that_would_spin_are_refused) {
    for (auto st : {net::StreamOptions{.keepalive = std::chrono::nanoseconds(0)},
                    net::StreamOptions{.tick = std::chrono::milliseconds(0)}, net::StreamOptions{.max_streams = 0}}) {
        net::SchedulerServer server(net::bonanza_scheduler_options(), st);
        auto r = server.start(net::ServerOptions{});
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error() == errc::invalid_argument));
    }
}

BOOST_AUTO_TEST_CASE(streams_beyond_the_limit_are_refused_and_none_holds_a_thread) {
    // Sixteen streams are held with eight threads at most: a stream holds no thread. The
    // seventeenth and later are refused at once rather than queued.
    net::StreamOptions st;
    st.max_streams = 16;
    net::SchedulerServer server(net::bonanza_scheduler_options(), st);
    net::ServerOptions o;
    o.max_threads = 8;
    BOOST_REQUIRE(server.start(o).has_value());
    NowPki pki;
    keys::AnyPrivateKey platform = fresh("x25519");
    RawWorker w(server, execution::Worker::create({platform}, pki.trust(), 3600s).value(), "w");
    w.register_idle();
    auto stub = rx::Execution::NewStub(net::make_channel({.url = url(server)}).value());
    struct Open {
        ::grpc::ClientContext context;
        std::unique_ptr<::grpc::ClientReader<rx::ExecuteResponse>> reader;
    };
    std::vector<std::unique_ptr<Open>> open;
    int queued = 0, refused = 0;
    for (int i = 0; i < 24; ++i) {
        auto a = pki.make_client()
                     .seal(platform.public_key(), as_bytes("held " + std::to_string(i)),
                           execution::AdditionalData{{}, execution::Duration::from_seconds(60)},
                           execution::NoncePolicy::random)
                     .value();
        rx::ExecuteRequest request;
        BOOST_REQUIRE(request.mutable_action()->ParseFromArray(a.bytes().data(), static_cast<int>(a.bytes().size())));
        auto s = std::make_unique<Open>();
        s->context.set_deadline(std::chrono::system_clock::now() + 20s);
        s->reader = stub->Execute(&s->context, request);
        rx::ExecuteResponse r;
        if (s->reader->Read(&r)) {
            ++queued;   // held by the server
            open.push_back(std::move(s));
        } else {
            const ::grpc::Status st = s->reader->Finish();
            BOOST_TEST(st.error_code() == ::grpc::RESOURCE_EXHAUSTED, st.error_message());
            ++refused;
        }
    }
    BOOST_TEST_MESSAGE("streams held " << queued << ", refused " << refused);
    BOOST_TEST(queued == 16);
    BOOST_TEST(refused == 8);
    // Once the held streams go, the server serves again.
    for (auto& s : open) s->context.TryCancel();
    for (auto& s : open) (void)s->reader->Finish();
    open.clear();
    BOOST_TEST(eventually([&] {
        ::grpc::ClientContext c;
        c.set_deadline(std::chrono::system_clock::now() + 5s);
        rx::WaitExecutionRequest q;
        q.set_name("nothing");
        auto reader = stub->WaitExecution(&c, q);
        rx::ExecuteResponse r;
        while (reader->Read(&r)) {}
        return reader->Finish().error_code() == ::grpc::NOT_FOUND;
    }));
}

BOOST_AUTO_TEST_SUITE_END()
