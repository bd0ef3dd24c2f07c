// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: JWK, config-string and JWS parsing (JWSDict, compact, flattened) and typed
// documents never crash on any input, and a parsed JWSDict re-serializes to a document that
// parses to the same bytes. The seed corpus holds JWSs signed by the fixed key below, so the
// fuzzer reaches the verification code behind the format checks.

#include <sealpipe/jose.hpp>
#include <sealpipe/sqooler/documents.hpp>

#include <cstdint>
#include <cstdlib>

namespace {
const sealpipe::jose::PrivateJwk& fixed_key() {
    static const auto key = [] {
        std::array<sealpipe::Byte, 32> seed{};
        seed.fill(0x42);
        return sealpipe::jose::PrivateJwk::from_key("fuzz", sealpipe::jose::Ed25519PrivateKey::from_raw(seed).value())
            .value();
    }();
    return key;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    using namespace sealpipe::jose;
    using namespace sealpipe::sqooler;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)PublicJwk::parse(text);
    (void)PrivateJwk::parse(text);
    (void)PrivateJwk::from_config_string(text);
    (void)detect_jws_format(text);
    if (auto v = verify_jws(text, fixed_key().public_jwk()); v && v->kid() != "fuzz") std::abort();
    if (auto jws = SqoolerJws::parse(text)) {
        auto stored = jws->to_json();
        if (!stored) return 0;  // a payload string that is not UTF-8
        auto back = SqoolerJws::parse(*stored);
        if (!back || back->to_json().value() != *stored) std::abort();
    }
    if (auto value = parse_python_json(text)) {
        if (auto doc = from_json<ResultDocument>(*value)) (void)python_dumps(to_json(*doc));
        if (auto doc = from_json<BackendConfig>(*value)) (void)python_dumps(to_json(*doc));
        if (auto doc = from_json<Job>(*value)) (void)python_dumps(to_json(*doc));
    }
    return 0;
}
