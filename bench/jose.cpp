// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// JWS sign and verify for a 1 KiB JSON payload in each form (sqooler's JWSDict, RFC 7515
// compact and flattened) next to raw Ed25519 over the same bytes: the cost of the
// serialization around the signature.
//
// What each row does per iteration (the key is made once, outside the loop):
//   raw_sign            Ed25519 sign of the 1024 bytes of json.dumps(payload)
//   raw_verify          Ed25519 verify of those bytes
//   sqooler_sign        sign_sqooler(payload object) and to_json(): json.dumps of the
//                       payload, the signing input, the signature, and the stored JSON text
//   sqooler_verify      SqoolerJws::parse(stored text) and verify_sqooler(std::move(jws)):
//                       the whole document parsed, json.dumps of the payload rebuilt, the
//                       signature checked, the payload object handed out (moved)
//   sqooler_verify_keep as sqooler_verify, with verify_sqooler(jws): the JWSDict stays
//                       usable and the payload object handed out is a copy
//   compact_sign        sign_compact(payload bytes): header, base64url, signature, text
//   compact_verify      verify_compact(text): split, header parsed and checked, base64url
//                       decoded, signature checked, payload bytes handed out
//   flattened_sign/verify  as compact, in the flattened JSON form (parsed as JSON)
// The compact and flattened rows start from the payload's bytes (they sign bytes, not a
// JSON object); the sqooler rows start from the object and include its serialization.

#include <sealpipe/jose.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace {

using namespace sealpipe;
using namespace sealpipe::jose;

void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench: %s failed\n", what);
        std::abort();
    }
}

const PrivateJwk& key() {
    static const auto k = PrivateJwk::generate("bench-key").value();
    return k;
}

/// A result-like JSON object whose json.dumps is 1024 bytes.
const boost::json::object& payload_object() {
    static const boost::json::object o = [] {
        boost::json::object p;
        p["job_id"] = "6576e9b2c0ffee0123456789";
        p["status"] = "DONE";
        p["weight"] = 0.1;
        boost::json::array memory;
        for (int i = 0; i < 60; ++i) memory.emplace_back(i % 2 ? "1 0 1" : "0 1 0");
        p["memory"] = memory;
        std::string pad;
        for (;;) {
            p["pad"] = pad;
            const auto n = python_dumps(boost::json::value(p)).value().size();
            if (n >= 1024) break;
            pad.push_back('x');
        }
        return p;
    }();
    return o;
}

const std::string& payload_text() {
    static const std::string t = python_dumps(boost::json::value(payload_object())).value();
    return t;
}

void raw_sign(benchmark::State& state) {
    for (auto _ : state) {
        auto s = key().sign_raw(as_bytes(payload_text()));
        require(s.has_value(), "sign_raw");
        benchmark::DoNotOptimize(s->view().data());
    }
    state.SetItemsProcessed(state.iterations());
}

void raw_verify(benchmark::State& state) {
    const auto sig = key().sign_raw(as_bytes(payload_text())).value();
    const auto pub = key().public_jwk();
    for (auto _ : state) require(pub.verify_raw(as_bytes(payload_text()), sig), "verify_raw");
    state.SetItemsProcessed(state.iterations());
}

void sqooler_sign(benchmark::State& state) {
    for (auto _ : state) {
        auto jws = sign_sqooler(payload_object(), key());
        require(jws.has_value(), "sign_sqooler");
        auto text = jws->to_json();
        require(text.has_value(), "to_json");
        benchmark::DoNotOptimize(text->data());
    }
    state.SetItemsProcessed(state.iterations());
}

void sqooler_verify(benchmark::State& state) {
    const std::string stored = sign_sqooler(payload_object(), key()).value().to_json().value();
    const auto pub = key().public_jwk();
    for (auto _ : state) {
        auto jws = SqoolerJws::parse(stored);
        require(jws.has_value(), "SqoolerJws::parse");
        auto v = verify_sqooler(std::move(*jws), pub);
        require(v.has_value(), "verify_sqooler");
        benchmark::DoNotOptimize(v->payload().size());
    }
    state.SetItemsProcessed(state.iterations());
}

void sqooler_verify_keep(benchmark::State& state) {
    const std::string stored = sign_sqooler(payload_object(), key()).value().to_json().value();
    const auto pub = key().public_jwk();
    for (auto _ : state) {
        auto jws = SqoolerJws::parse(stored);
        require(jws.has_value(), "SqoolerJws::parse");
        auto v = verify_sqooler(*jws, pub);
        require(v.has_value(), "verify_sqooler");
        benchmark::DoNotOptimize(v->payload().size());
        benchmark::DoNotOptimize(jws->header().kid.size());
    }
    state.SetItemsProcessed(state.iterations());
}

void compact_sign(benchmark::State& state) {
    for (auto _ : state) {
        auto s = sign_compact(as_bytes(payload_text()), key());
        require(s.has_value(), "sign_compact");
        benchmark::DoNotOptimize(s->data());
    }
    state.SetItemsProcessed(state.iterations());
}

void compact_verify(benchmark::State& state) {
    const std::string jws = sign_compact(as_bytes(payload_text()), key()).value();
    const auto pub = key().public_jwk();
    for (auto _ : state) {
        auto v = verify_compact(jws, pub);
        require(v.has_value(), "verify_compact");
        benchmark::DoNotOptimize(v->payload().data());
    }
    state.SetItemsProcessed(state.iterations());
}

void flattened_sign(benchmark::State& state) {
    for (auto _ : state) {
        auto s = sign_flattened(as_bytes(payload_text()), key());
        require(s.has_value(), "sign_flattened");
        benchmark::DoNotOptimize(s->data());
    }
    state.SetItemsProcessed(state.iterations());
}

void flattened_verify(benchmark::State& state) {
    const std::string jws = sign_flattened(as_bytes(payload_text()), key()).value();
    const auto pub = key().public_jwk();
    for (auto _ : state) {
        auto v = verify_flattened(jws, pub);
        require(v.has_value(), "verify_flattened");
        benchmark::DoNotOptimize(v->payload().data());
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(raw_sign);
BENCHMARK(sqooler_sign);
BENCHMARK(compact_sign);
BENCHMARK(flattened_sign);
BENCHMARK(raw_verify);
BENCHMARK(sqooler_verify);
BENCHMARK(sqooler_verify_keep);
BENCHMARK(compact_verify);
BENCHMARK(flattened_verify);

BENCHMARK_MAIN();
