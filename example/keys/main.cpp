// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The keys area end to end: key types, PEM, ECDH with purpose keys, the proof of
// possession, Ed25519 keys in ECDH, signatures, and client certificate chains.
// Usage: example_keys [CA.pem CHAIN.pem]  (with files, also verifies a client chain)

#include <sealpipe/core.hpp>
#include <sealpipe/keys.hpp>
#include <sealpipe/keys/x509.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using namespace sealpipe;
using namespace sealpipe::keys;

namespace {

// tag::seal_action[]
// A stand-in for execution::seal_action, which likewise accepts only the action key.
std::size_t seal_action(const AeadKey<Purpose::Action>& key, ByteView plaintext) {
    return key.size() + plaintext.size();   // stands in for AES-GCM-SIV
}
// end::seal_action[]

int verify_files(const char* ca_path, const char* chain_path) {
    auto slurp = [](const char* p) {
        std::ifstream f(p, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    };
    // tag::x509[]
    auto store = TrustStore::from_pem(slurp(ca_path));
    auto chain = CertificateChain::from_pem(slurp(chain_path));   // leaf first
    if (!store || !chain) return 2;
    if (auto ok = store->verify_client(*chain, std::chrono::system_clock::now()); !ok) {
        std::printf("chain refused: %s\n", ok.error().message().c_str());
        return (ok.error() == condition::verification_failed ? 1 : 2);   // 1: untrusted or expired
    }
    auto client_key = chain->leaf_agreement_key();   // Ed25519 leaves come back as X25519
    if (!client_key) return 2;
    std::printf("chain trusted; client ECDH key is %s\n", std::string(client_key->type_name()).c_str());
    // end::x509[]
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    // tag::generate[]
    // Key types are policies: PrivateKey<X25519>, PrivateKey<P256>, ... Errors are values.
    auto worker = PrivateKey<X25519>::generate();
    auto client = PrivateKey<X25519>::generate();
    if (!worker || !client) return 2;
    const std::string worker_pub_pem = worker->public_key().to_pem();   // PKIX "PUBLIC KEY"
    std::printf("%s", worker_pub_pem.c_str());

    // Reading a key of the wrong type says what went wrong.
    auto wrong = PublicKey<P256>::from_pem(worker_pub_pem);
    std::printf("as P-256: %s\n", wrong.error().message().c_str());
    // end::generate[]

    // tag::ecdh[]
    // Both sides compute the same secret; keys of different curves do not even compile.
    auto on_client = ecdh(*client, worker->public_key());
    auto on_worker = ecdh(*worker, client->public_key());
    if (!on_client || !on_worker) return 2;

    // One key per purpose: the types keep an event key out of seal_action().
    AeadKey<Purpose::Action> action_key = on_client->key_for<Purpose::Action>();
    AeadKey<Purpose::CompletionEvent> done_key = on_worker->key_for<Purpose::CompletionEvent>();
    std::printf("sealed %zu bytes; completion key is %zu bytes\n",
                seal_action(action_key, as_bytes("build //...")), done_key.size());
    // end::ecdh[]

    // tag::kdf[]
    // P-384 secrets (48 bytes) are no AES key: the raw tweak is a compile-time error, and
    // the HKDF-SHA-256 policy (this project's extension, not Bonanza wire-compatible) works.
    auto a = PrivateKey<P384>::generate().value();
    auto b = PrivateKey<P384>::generate().value();
    auto secret384 = ecdh(a, b.public_key()).value();
    // auto k = secret384.key_for<Purpose::Action>();   // static_assert: "sealpipe: key_for<Purpose>() ..."
    auto k384 = secret384.key_for<Purpose::Action, HkdfSha256>();
    std::printf("P-384 action key via HKDF: %zu bytes\n", k384.size());
    // end::kdf[]

    // tag::proof[]
    // Proof of possession: the worker answers a scheduler's ephemeral key with
    // verification zeros; the scheduler recomputes them and compares in constant time.
    auto ephemeral = PrivateKey<X25519>::generate().value();
    const VerificationZeros proof = verification_zeros(ecdh(*worker, ephemeral.public_key()).value());
    auto checked = check_verification_zeros(ecdh(ephemeral, worker->public_key()).value(), proof);
    std::printf("proof %s: %s\n", hex_encode(proof).c_str(), checked ? "accepted" : "refused");
    // end::proof[]

    // tag::ed25519[]
    // An Ed25519 key signs, and also agrees: it is converted to X25519
    // (doc/protocol.md#keys-and-key-agreement).
    auto signer = PrivateKey<Ed25519>::generate().value();
    const Ed25519Signature sig = sign(signer, as_bytes("config"));
    const bool valid = verify(signer.public_key(), as_bytes("config"), sig).has_value();
    auto with_ed = ecdh(signer, worker->public_key());                      // SharedSecret<X25519>
    auto same = ecdh(*worker, to_x25519(signer.public_key()).value());
    std::printf("signature %s; Ed25519 ECDH agrees: %s\n", valid ? "valid" : "INVALID",
                with_ed && same && with_ed->equals(*same) ? "yes" : "NO");
    // end::ed25519[]

    if (argc == 3) return verify_files(argv[1], argv[2]);
    return 0;
}
