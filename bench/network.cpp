// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Remote execution over loopback gRPC against a bare gRPC echo service, in one run: end-to-end
// actions per second (client -> scheduler -> worker -> client, 1 KiB action plaintext, trivial
// work) with 1, 16 and 256 concurrent clients and 1 or 4 workers; the echo service with the
// same concurrency and an Action-sized payload each way as the ceiling; and the latency from
// submission to completion with one idle worker already waiting. Prints Markdown tables.
//
// Usage: bench_network [SECONDS_PER_POINT]   (default 2)

#include <sealpipe/net.hpp>

#include "unit/execution/pki.hpp"

#include <bench/echo.grpc.pb.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

using namespace sealpipe;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t now_unix() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// A client CA and client valid now (the benchmark's own, not the tests' fixed date).
struct Pki {
    test::TestCert ca = test::issue("bench CA", test::fresh("ed25519"), nullptr, true, now_unix() - test::day,
                                    now_unix() + test::day);
    test::TestCert client = test::issue("bench client", test::fresh("ed25519"), &ca, false, now_unix() - test::day,
                                        now_unix() + test::day);
    keys::TrustStore trust() const { return keys::TrustStore::from_pem(ca.pem()).value(); }
    execution::Client make_client() const {
        return execution::Client::create(keys::CertificateChain::from_der(std::vector<Bytes>{client.der()}).value(),
                                         client.key)
            .value();
    }
};

class EchoService final : public sealpipe::bench::Echo::Service {
    ::grpc::Status Echo(::grpc::ServerContext*, const sealpipe::bench::Payload* in,
                        sealpipe::bench::Payload* out) override {
        *out = *in;
        return ::grpc::Status::OK;
    }
};

/// Runs `clients` threads calling `one()` until `seconds` pass; returns calls per second.
template <class One>
double rate(int clients, double seconds, One one) {
    std::atomic<bool> stop{false};
    std::atomic<long> done{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
        threads.emplace_back([&, i] {
            auto call = one(i);
            while (!stop.load(std::memory_order_relaxed)) {
                if (!call()) std::abort();
                done.fetch_add(1, std::memory_order_relaxed);
            }
        });
    // Warm up a tenth of the time, then count.
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds / 10));
    const long before = done.load();
    const auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const long after = done.load();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    stop = true;
    for (auto& t : threads) t.join();
    return static_cast<double>(after - before) / elapsed;
}

} // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    Pki pki;
    const keys::AnyPrivateKey platform = test::fresh("x25519");
    const Bytes plaintext(1024, 0x61);
    const execution::AdditionalData ad{{}, execution::Duration::from_seconds(60)};
    const auto client = pki.make_client();
    const std::size_t action_bytes =
        client.seal(platform.public_key(), plaintext, ad, execution::NoncePolicy::random).value().bytes().size();

    // The echo ceiling: the same payload size each way.
    EchoService echo;
    ::grpc::ServerBuilder echo_builder;
    int echo_port = 0;
    echo_builder.AddListeningPort("127.0.0.1:0", ::grpc::InsecureServerCredentials(), &echo_port);
    echo_builder.RegisterService(&echo);
    auto echo_server = echo_builder.BuildAndStart();
    auto echo_channel = net::make_channel({.url = "grpc://127.0.0.1:" + std::to_string(echo_port)}).value();
    auto echo_stub = sealpipe::bench::Echo::NewStub(echo_channel);
    sealpipe::bench::Payload payload;
    payload.set_data(std::string(action_bytes, 'a'));

    std::printf("1 KiB action plaintext (Action of %zu bytes), %.1f s per point, loopback, %u hardware threads\n\n",
                action_bytes, seconds, std::thread::hardware_concurrency());
    std::printf("| clients | workers | end to end (actions/s) | echo ceiling (calls/s) | ratio |\n");
    std::printf("| ---: | ---: | ---: | ---: | ---: |\n");
    for (int workers : {1, 4}) {
        net::SchedulerServer server;
        if (!server.start({}).has_value()) return 2;
        const std::string url = "grpc://127.0.0.1:" + std::to_string(server.port());
        std::atomic<bool> stop{false};
        std::vector<net::RemoteWorker> pool;
        for (int i = 0; i < workers; ++i)
            pool.push_back(net::RemoteWorker::connect(execution::Worker::create({platform}, pki.trust(), 3600s).value(),
                                                      {.url = url}, {.worker_id = {{"w", std::to_string(i)}}})
                               .value());
        const net::Runner trivial = [](const net::RemoteTask&, net::Progress&) {
            net::Outcome o;
            o.plaintext = Bytes(16, 0x62);
            return o;
        };
        std::vector<std::thread> running;
        for (auto& w : pool) running.emplace_back([&] { (void)w.run(trivial, stop); });
        while (server.scheduler().stats().proven_workers < static_cast<std::size_t>(workers))
            std::this_thread::sleep_for(1ms);
        auto remote = net::RemoteClient::connect(pki.make_client(), {.url = url}).value();
        for (int clients : {1, 16, 256}) {
            const double e2e = rate(clients, seconds, [&](int) {
                return [&] {
                    auto x = remote.execute(platform.public_key(), plaintext, ad, execution::NoncePolicy::random);
                    if (!x) return false;
                    for (;;) {
                        auto e = x->next();
                        if (!e) return false;
                        if (e->final) return true;
                    }
                };
            });
            const double ceiling = rate(clients, seconds, [&](int) {
                return [&] {
                    ::grpc::ClientContext c;
                    sealpipe::bench::Payload back;
                    return echo_stub->Echo(&c, payload, &back).ok();
                };
            });
            std::printf("| %d | %d | %.0f | %.0f | %.2f |\n", clients, workers, e2e, ceiling, e2e / ceiling);
            std::fflush(stdout);
        }
        // Latency with an idle worker already waiting (the last configuration's workers are idle now).
        if (workers == 1) {
            std::vector<double> micros;
            for (int i = 0; i < 2000; ++i) {
                // Let the worker's next call arrive first: it is held until this action comes.
                while (server.scheduler().stats().running != 0) std::this_thread::yield();
                const auto t0 = Clock::now();
                auto x = remote.execute(platform.public_key(), plaintext, ad, execution::NoncePolicy::random);
                for (auto e = x->next(); e && !e->final; e = x->next()) {
                }
                micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            }
            std::sort(micros.begin(), micros.end());
            std::printf("\nsubmit to completion, 1 client, 1 idle worker: p50 %.0f us, p90 %.0f us, p99 %.0f us\n\n",
                        micros[micros.size() / 2], micros[micros.size() * 9 / 10], micros[micros.size() * 99 / 100]);
            std::printf("| clients | workers | end to end (actions/s) | echo ceiling (calls/s) | ratio |\n");
            std::printf("| ---: | ---: | ---: | ---: | ---: |\n");
        }
        stop = true;
        for (auto& w : pool) w.wake();
        for (auto& t : running) t.join();
        server.shutdown();
    }
    echo_server->Shutdown();
    return 0;
}
