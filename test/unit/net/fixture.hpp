// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support for the network tests: a scheduler served on a loopback port of its own, a
// PKI valid now, a worker and a client over gRPC, and a hand-driven worker that speaks
// `Synchronize` message by message.

#ifndef SEALPIPE_TEST_UNIT_NET_FIXTURE_HPP
#define SEALPIPE_TEST_UNIT_NET_FIXTURE_HPP

#include <sealpipe/net.hpp>

#include "unit/execution/pki.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <ctime>
#include <string>
#include <thread>

namespace sealpipe::test {

using namespace std::chrono_literals;
namespace rw = ::bonanza::remoteworker;
namespace rx = ::bonanza::remoteexecution;

/// Seconds since the epoch, now (the certificates below are valid around it).
inline std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// A client CA and a client certificate valid from yesterday for a year.
struct NowPki {
    TestCert ca = issue("client CA", fresh("ed25519"), nullptr, true, unix_now() - day, unix_now() + 365 * day);
    TestCert client = issue("alice", fresh("ed25519"), &ca, false, unix_now() - day, unix_now() + 365 * day);
    keys::TrustStore trust() const { return keys::TrustStore::from_pem(ca.pem()).value(); }
    keys::CertificateChain chain() const {
        return keys::CertificateChain::from_der(std::vector<Bytes>{client.der()}).value();
    }
    execution::Client make_client() const { return execution::Client::create(chain(), client.key).value(); }
};

inline std::string url(const net::SchedulerServer& s) { return "grpc://127.0.0.1:" + std::to_string(s.port()); }

/// Waits until `condition()` holds, checking it after each short wait; fails the test after
/// `limit`. (A wait for an effect, not a sleep standing in for one.)
template <class F>
bool eventually(F condition, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::yield();
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

/// A worker driven message by message through the raw `Synchronize` stub.
struct RawWorker {
    execution::Worker worker;
    std::unique_ptr<rw::OperationQueue::Stub> stub;
    std::map<std::string, std::string> id;
    std::vector<Bytes> keys;
    std::vector<Bytes> zeros;

    RawWorker(const net::SchedulerServer& server, execution::Worker w, std::string name)
        : worker(std::move(w)),
          stub(rw::OperationQueue::NewStub(net::make_channel(net::ChannelOptions{.url = url(server)}).value())),
          id{{"name", std::move(name)}} {
        keys = worker.platform_public_keys();
        std::sort(keys.begin(), keys.end(), [](const Bytes& a, const Bytes& b) {
            return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
        });
        zeros.resize(keys.size());
    }

    rw::SynchronizeRequest request(const rw::CurrentState& state, bool prefer_idle = false) const {
        rw::SynchronizeRequest r;
        for (const auto& [k, v] : id) (*r.mutable_worker_id())[k] = v;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            auto* k = r.add_public_keys();
            k->set_pkix_public_key(keys[i].data(), keys[i].size());
            k->set_verification_zeros(zeros[i].data(), zeros[i].size());
        }
        *r.mutable_current_state() = state;
        r.set_prefer_being_idle(prefer_idle);
        return r;
    }

    ::grpc::Status call(const rw::SynchronizeRequest& q, rw::SynchronizeResponse& out,
                        std::chrono::milliseconds deadline = 20s) {
        ::grpc::ClientContext c;
        c.set_deadline(std::chrono::system_clock::now() + deadline);
        return stub->Synchronize(&c, q, &out);
    }

    static rw::CurrentState idle() {
        rw::CurrentState s;
        s.mutable_idle();
        return s;
    }

    /// Answers a verifying_public_keys challenge.
    void prove(const rw::SynchronizeResponse& r) {
        const auto& v = r.desired_state().verifying_public_keys();
        for (std::size_t i = 0; i < keys.size(); ++i) {
            auto mine = keys::AnyPublicKey::from_der(keys[i]).value();
            for (const std::string& der : v.verification_pkix_public_keys()) {
                auto theirs = keys::AnyPublicKey::from_der(as_bytes(der)).value();
                if (theirs.type_name() == mine.type_name())
                    zeros[i] = to_bytes(worker.prove_possession(keys[i], theirs).value().view());
            }
        }
    }

    /// Registers: a first call (challenged), then a proven one that prefers to stay idle.
    void register_idle() {
        rw::SynchronizeResponse r;
        auto st = call(request(idle(), true), r);
        BOOST_REQUIRE_MESSAGE(st.ok(), st.error_message());
        if (r.desired_state().has_verifying_public_keys()) {
            prove(r);
            r.Clear();
            st = call(request(idle(), true), r);
            BOOST_REQUIRE_MESSAGE(st.ok(), st.error_message());
        }
        BOOST_REQUIRE(r.desired_state().has_idle());
    }
};

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_UNIT_NET_FIXTURE_HPP
