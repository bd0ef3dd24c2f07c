// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Remote execution benchmarks: 1 KiB actions opened per second by a worker (full path:
// decode, chain verification, ECDH, AES-GCM-SIV) and with the shared secret cached per
// (client key, platform key); actions routed per second by the in-process scheduler,
// called directly and through the in-process transport.

#include <sealpipe/execution.hpp>

#include "unit/execution/pki.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <thread>

using namespace sealpipe;
using namespace sealpipe::execution;
using namespace std::chrono_literals;

namespace {

struct Setup {
    test::Pki pki;
    keys::AnyPrivateKey platform = test::fresh("x25519");
    Worker worker = Worker::create({platform}, pki.trust(), 3600s).value();
    Client client = Client::create(pki.chain(), pki.client.key).value();
    Bytes plaintext = Bytes(1024, 0x61);
    PendingAction action =
        client.seal(platform.public_key(), plaintext, AdditionalData{{}, Duration::from_seconds(60)}).value();
};

Setup& setup() {
    static Setup s;
    return s;
}

void worker_open_full(benchmark::State& state) {
    Setup& s = setup();
    for (auto _ : state) {
        auto opened = s.worker.open(s.action.bytes(), test::at(test::t0));
        benchmark::DoNotOptimize(opened);
        if (!opened) state.SkipWithError("open failed");
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(worker_open_full);

void worker_open_cached_secret(benchmark::State& state) {
    // A worker that caches the shared secret per (client key, platform key) only decodes and
    // decrypts (the chain must still be verified once per chain, outside this loop).
    Setup& s = setup();
    auto client_key = s.pki.chain().leaf_agreement_key().value();
    auto secret = keys::ecdh(s.platform, client_key).value();
    const auto key = std::get<keys::SharedSecret<keys::X25519>>(secret).key_for<keys::Purpose::Action>();
    for (auto _ : state) {
        auto a = Action::decode(s.action.bytes());
        auto p = open_action(key, *a);
        benchmark::DoNotOptimize(p);
        if (!p) state.SkipWithError("open failed");
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(worker_open_cached_secret);

void scheduler_route(benchmark::State& state) {
    // submit → next_action → complete → the client receives the completion event.
    Setup& s = setup();
    Scheduler<transport::InProcess> scheduler;
    const auto keys = s.worker.platform_public_keys();
    auto challenge = scheduler.synchronize("w", keys).value();
    std::vector<keys::VerificationZeros> proofs{
        s.worker.prove_possession(keys[0], keys::AnyPublicKey::from_der(challenge.ephemeral_public_keys[0]).value()).value()};
    (void)scheduler.prove("w", proofs).value();
    const Bytes event = Event{Bytes(12, 1), Bytes(32, 2)}.encode();
    for (auto _ : state) {
        auto sub = scheduler.submit(s.action.bytes()).value();
        auto a = scheduler.next_action("w").value();
        (void)scheduler.complete("w", a->task, event);
        auto u = sub.try_next();
        benchmark::DoNotOptimize(u);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(scheduler_route);

void scheduler_route_through_transport(benchmark::State& state) {
    // The same work as requests through the in-process transport: the scheduler answers on
    // its own thread, so each of the three calls is a hand-over between threads.
    Setup& s = setup();
    Scheduler<transport::InProcess> scheduler;
    std::thread serving([&] { scheduler.run(); });
    auto connection = scheduler.connect();
    const auto deadline = [] { return std::chrono::steady_clock::now() + 10s; };
    WorkerEndpoint<transport::InProcess> worker(s.worker, "w", scheduler.connect());
    if (!worker.synchronize(deadline())) state.SkipWithError("synchronize failed");
    const Bytes event = Event{Bytes(12, 1), Bytes(32, 2)}.encode();
    for (auto _ : state) {
        auto reply = connection.call(request::Submit{s.action.bytes()}, deadline());
        if (!reply) {
            state.SkipWithError("submit failed");
            break;
        }
        auto sub = std::move(std::get<Scheduler<transport::InProcess>::Subscription>(*reply));
        auto next = connection.call(request::NextAction{"w"}, deadline());
        const auto& a = std::get<std::optional<Assignment>>(*next);
        (void)connection.call(request::Report{"w", a->task, event, true}, deadline());
        auto u = sub.next(deadline());
        benchmark::DoNotOptimize(u);
    }
    scheduler.shutdown();
    serving.join();
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(scheduler_route_through_transport)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
