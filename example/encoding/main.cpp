// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Encoding pipelines: compress then encrypt, in deterministic, keyed and randomized modes,
// and a pipeline configured at run time from Bonanza's JSON. Quoted by doc/encoding.md.

#include <sealpipe/core.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/any_pipeline.hpp>
#include <sealpipe/encoding/zstd.hpp>

#include <cstdio>
#include <string>

using namespace sealpipe;
namespace encoding = sealpipe::encoding;

int main() {
    const Bytes payload = to_bytes(as_bytes("a payload for untrusted storage, a payload for untrusted storage"));
    auto key = aead::AesGcmSiv<256>::Key::from(Bytes(32, 0x42), "key").value();

    // tag::deterministic[]
    // Simple LZW, then AES-256-GCM-SIV, in Bonanza's deterministic mode: equal payloads give
    // equal objects (deduplication); the 16-byte tag is the decoding parameter to keep secret.
    encoding::DeterministicPipeline<encoding::SimpleLzw, aead::AesGcmSiv<256>> pipeline({}, key);
    static_assert(decltype(pipeline)::decoding_parameters_bytes == 16);

    auto sealed = pipeline.encode(payload);
    if (!sealed) return 1;
    auto opened = pipeline.decode(sealed->data, sealed->parameters, 2 << 20);
    if (!opened || !std::equal(opened->begin(), opened->end(), payload.begin(), payload.end())) return 1;
    // end::deterministic[]
    std::printf("deterministic  %zu bytes -> %zu bytes, tag %s\n", payload.size(), sealed->data.size(),
                hex_encode(sealed->parameters).c_str());

    // tag::keyed[]
    // Keyed mode: the caller supplies the nonce (derive it from a secret; a tag store has
    // nowhere to keep parameters).
    encoding::KeyedPipeline<encoding::SimpleLzw, aead::AesGcmSiv<256>> keyed({}, key);
    const auto nonce = decltype(keyed)::Parameters::from(Bytes(12, 0x07)).value();
    auto stored = keyed.encode(payload, hazmat::chosen_nonce(nonce));
    if (!stored || !keyed.decode(*stored, nonce, 2 << 20)) return 1;
    // end::keyed[]
    std::printf("keyed          %zu bytes (ciphertext || tag)\n", stored->size());

    // tag::randomized[]
    // The design card's Pipeline<Zstd, AesGcm<Nonce12>>: plain AES-GCM is only accepted in
    // randomized mode, where every object gets a fresh nonce (parameters = nonce || tag).
    // As a DeterministicPipeline or KeyedPipeline it does not compile.
    using Gcm = aead::AesGcm<aead::Nonce12>;
    encoding::RandomizedPipeline<encoding::Zstd<1>, Gcm> randomized({}, Gcm::Key::from(Bytes(32, 0x42)).value());
    auto once = randomized.encode(payload);
    auto twice = randomized.encode(payload);
    if (!once || !twice || once->data == twice->data) return 1;
    // end::randomized[]
    std::printf("randomized     parameters %s\n", hex_encode(once->parameters).c_str());

    // tag::runtime[]
    // Bonanza's protobuf-JSON configuration, checked against the same rules at run time.
    const std::string json = R"([{"lzwCompressing": {}},
                                 {"encrypting": {"encryptionKey": ")" + base64_encode(Bytes(32, 0x42)) + R"("}}])";
    auto any = encoding::AnyPipeline::from_json(json, encoding::Mode::deterministic);
    if (!any) return 1;
    auto same = any->encode(payload);
    if (!same || same->data != sealed->data) return 1;  // byte for byte the typed pipeline's

    auto illegal = encoding::AnyPipeline::from_json(
        R"([{"encrypting": {"encryptionKey": ")" + base64_encode(Bytes(32, 0x42)) + R"(", "aead": "AES_GCM"}}])",
        encoding::Mode::deterministic);
    // illegal.error().message() == "sealpipe: a deterministic pipeline may only encrypt with a
    // nonce-misuse-resistant AEAD (AesGcmSiv); AesGcm is only allowed in a RandomizedPipeline"
    // end::runtime[]
    std::printf("runtime        same bytes as the typed pipeline; AES_GCM deterministic: %s\n",
                illegal ? "accepted?!" : illegal.error().message().c_str());
    return illegal ? 1 : 0;
}
