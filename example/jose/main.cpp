// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Signed results the sqooler way: Bob makes a key, publishes the public half, signs his
// backend config and a result; Alice verifies them, and a tampered result is caught.

#include <sealpipe/jose.hpp>
#include <sealpipe/sqooler/documents.hpp>

#include <cstdio>
#include <string>

namespace jose = sealpipe::jose;
namespace sqooler = sealpipe::sqooler;
using sealpipe::result;

namespace {

int fail_with(const sealpipe::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.message().c_str());
    return (e == sealpipe::condition::verification_failed ? 1 : 2);
}

} // namespace

int main() {
    // tag::keys[]
    // Bob: a new key, as `sqoolerkey --kid bob-1` makes one. The config string holds the
    // private key; it lives in wiping storage and is read with an explicit token.
    auto bob = jose::PrivateJwk::generate("bob-1");
    if (!bob) return fail_with(bob.error());
    const sealpipe::SecretBytes config = bob->to_config_string();
    auto again = jose::PrivateJwk::from_config_string(
        sealpipe::as_chars(config.reveal(sealpipe::hazmat::secret_access())));
    if (!again) return fail_with(again.error());

    // What Bob publishes: {"x":…,"key_ops":"verify","kid":"bob-1","d":null,…}
    const jose::PublicJwk published = bob->public_jwk();
    std::printf("public key  %s\n", published.to_json().c_str());
    // end::keys[]

    // tag::sign[]
    // Bob signs his result. Typed documents map to JSON through Boost.Hana reflection; the
    // payload is the JSON object sqooler's `ResultDict.model_dump()` would give.
    sqooler::ResultDocument doc;
    doc.display_name = "fermions";
    doc.backend_version = "0.1.2";
    doc.job_id = "6576e9b2";
    doc.success = true;
    doc.status = "DONE";
    doc.header = {{"user", "alice"}};
    doc.results.push_back({.header = {{"name", "experiment_0"}},
                           .shots = 2,
                           .success = true,
                           .data = {.memory = {"1 0", "0 1"}, .instructions = std::nullopt, .unknown_members = {}},
                           .unknown_members = {}});
    auto signed_result = sqooler::sign_document(doc, *again);
    if (!signed_result) return fail_with(signed_result.error());
    // The stored bytes: json.dumps of {"header": …, "payload": …, "signature": …}
    auto stored = signed_result->to_json();
    if (!stored) return fail_with(stored.error());
    std::printf("stored      %.100s...\n", stored->c_str());
    // end::sign[]

    // tag::verify[]
    // Alice reads the stored document and verifies it with Bob's published key. Only a
    // successful verification hands out the payload, as a typed Verified<ResultDocument>.
    auto jws = jose::SqoolerJws::parse(*stored);
    if (!jws) return fail_with(jws.error());
    auto verified = sqooler::verify_document<sqooler::ResultDocument>(*jws, published);
    if (!verified) return fail_with(verified.error());
    std::printf("verified    job %s from key %s: %zu experiment(s), memory[0] = \"%s\"\n",
                verified->payload().job_id.c_str(), verified->kid().c_str(), verified->payload().results.size(),
                verified->payload().results[0].data.memory[0].c_str());

    // Someone edits the stored result: verification fails (CLI exit code 1).
    std::string tampered = *stored;
    tampered.replace(tampered.find("\"1 0\""), 5, "\"1 1\"");
    auto forged = jose::SqoolerJws::parse(tampered);
    if (!forged) return fail_with(forged.error());
    const auto caught = jose::verify_sqooler(*forged, published);
    std::printf("tampered    %s (exit code %d)\n", caught ? "ACCEPTED" : caught.error().message().c_str(),
                caught ? 0 : (caught.error() == sealpipe::condition::verification_failed ? 1 : 2));
    // end::verify[]

    // tag::compact[]
    // The same key speaks RFC 7515 to every other JOSE library.
    auto compact = jose::sign_compact(sealpipe::as_bytes("hello, JOSE"), *bob);
    if (!compact) return fail_with(compact.error());
    auto checked = jose::verify_jws(*compact, published);
    if (!checked) return fail_with(checked.error());
    std::printf("compact     %s\n            payload \"%s\"\n", compact->c_str(),
                std::string(sealpipe::as_chars(checked->payload())).c_str());
    // end::compact[]
    return caught ? 1 : 0;
}
