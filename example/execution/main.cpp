// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Remote execution in one process: Alice (client) seals an action for a platform key, the
// untrusted scheduler routes it to Bob's worker after his proof of possession, Bob verifies
// Alice's certificate, runs the action (a word count) and answers with sealed events.

#include <sealpipe/execution.hpp>

#include "../common/certificates.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace sealpipe;
using namespace sealpipe::execution;
using sealpipe::example::issue;
using namespace std::chrono_literals;

namespace {

std::string text(ByteView b) { return std::string(as_chars(b)); }

} // namespace

int main() {
    auto ca_key = keys::AnyPrivateKey::generate("ed25519").value();
    auto alice_key = keys::AnyPrivateKey::generate("ed25519").value();
    X509* ca_cert = nullptr;
    const std::string ca_pem = issue("Example client CA", ca_key, ca_key, nullptr, true, &ca_cert);
    const std::string alice_chain_pem = issue("alice", alice_key, ca_key, ca_cert, false, nullptr);
    X509_free(ca_cert);
    const auto alice_key_pem = alice_key.to_pem();

    // tag::roles[]
    // Bob's worker: the platform private key (Ed25519 here; it is announced as X25519), the
    // CA it trusts for clients, and the longest execution timeout it accepts.
    auto platform = keys::AnyPrivateKey::generate("ed25519").value();
    auto trust = keys::TrustStore::from_pem(ca_pem).value();
    Worker bob = Worker::create({platform}, trust, 1h).value();

    // Alice: her certificate chain and private key; she knows only the platform PUBLIC key.
    Client alice = Client::from_pem(alice_chain_pem, std::string_view(alice_key_pem.data(), alice_key_pem.size()))
                       .value();
    const keys::AnyPublicKey platform_public = platform.public_key();
    // end::roles[]

    // tag::proof[]
    // The scheduler knows nothing of either. Bob synchronizes and proves that he holds the
    // private key of every platform key he announces before he receives any work.
    Scheduler<transport::InProcess> scheduler;
    const std::vector<Bytes> announced = bob.platform_public_keys();
    Challenge challenge = scheduler.synchronize("bob-1", announced).value();
    std::vector<keys::VerificationZeros> proofs;
    for (std::size_t i = 0; i < announced.size(); ++i)
        proofs.push_back(bob.prove_possession(announced[i],
                                              keys::AnyPublicKey::from_der(challenge.ephemeral_public_keys[i]).value())
                             .value());
    if (auto r = scheduler.prove("bob-1", proofs); !r) {
        std::printf("proof refused: %s\n", r.error().message().c_str());
        return 1;
    }
    std::printf("bob-1 proved possession of %zu platform key(s)\n", announced.size());
    // end::proof[]

    // tag::worker[]
    // Bob's loop: take an action, verify Alice's chain and open it, report progress, finish.
    std::thread worker([&] {
        for (int polls = 0; polls < 2000; ++polls) {
            auto next = scheduler.next_action("bob-1");
            if (!next || !*next) {
                std::this_thread::sleep_for(1ms);
                continue;
            }
            const Assignment& a = **next;
            auto opened = bob.open(a.action, std::chrono::system_clock::now());
            if (!opened) {   // untrusted client, tampered action, unknown platform key, ...
                std::printf("worker refused the action: %s\n", opened.error().message().c_str());
                return;
            }
            (void)scheduler.execution_event("bob-1", a.task, opened->responder.execution_event(as_bytes("counting")).value().encode());
            std::istringstream in(text(opened->plaintext));
            std::size_t words = 0;
            for (std::string w; in >> w;) ++words;
            const std::string result = std::to_string(words) + " words";
            (void)scheduler.complete("bob-1", a.task, opened->responder.completion_event(as_bytes(result)).value().encode());
            return;
        }
    });
    // end::worker[]

    // tag::client[]
    // Alice seals the action (zero nonce: identical actions in flight run once), submits the
    // bytes, and opens the events that answer it.
    AdditionalData ad{Bytes{0xca, 0xfe}, Duration::from_seconds(60)};
    PendingAction action =
        alice.seal(platform_public, as_bytes("the scheduler never sees these seven words"), ad, NoncePolicy::zero).value();
    auto subscription = scheduler.submit(action.bytes()).value();
    for (;;) {
        auto update = subscription.next(std::chrono::steady_clock::now() + 10s);
        if (!update) {
            std::printf("no answer: %s\n", update.error().message().c_str());
            break;
        }
        if (update->kind == Update::Kind::failed) {
            std::printf("action failed: %s\n", update->error.message().c_str());
            break;
        }
        const bool done = update->kind == Update::Kind::completion_event;
        auto plaintext = done ? action.open_completion_event(update->event) : action.open_execution_event(update->event);
        if (!plaintext) {
            std::printf("forged event: %s\n", plaintext.error().message().c_str());
            break;
        }
        std::printf("%s event: %s\n", done ? "completion" : "execution", text(*plaintext).c_str());
        if (done) break;
    }
    // end::client[]
    worker.join();

    // tag::tamper[]
    // A scheduler that changes one byte of an action is caught by the worker.
    Bytes tampered = action.bytes();
    tampered[tampered.size() - 1] ^= 1;
    auto refused = bob.open(tampered, std::chrono::system_clock::now());
    std::printf("tampered action: %s (exit code %d)\n", refused.error().message().c_str(),
                (refused.error() == condition::verification_failed ? 1 : 2));
    // end::tamper[]
    return 0;
}
