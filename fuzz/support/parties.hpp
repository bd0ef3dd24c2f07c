// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The honest parties the gRPC fuzz targets put beside what the fuzzer sends: a client PKI, a
// worker holding an X25519 platform key, and one genuine action sealed for it.

#ifndef SEALPIPE_FUZZ_SUPPORT_PARTIES_HPP
#define SEALPIPE_FUZZ_SUPPORT_PARTIES_HPP

#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/worker.hpp>

#include "unit/execution/pki.hpp"

#include <chrono>
#include <vector>

namespace sealpipe::fuzz {

struct Parties {
    test::Pki pki;
    keys::AnyPrivateKey platform = keys::AnyPrivateKey::generate("x25519").value();
    execution::Worker worker = execution::Worker::create({platform}, pki.trust(), std::chrono::hours(1)).value();
    execution::Client client = execution::Client::create(pki.chain(), pki.client.key).value();
    std::vector<Bytes> keys = worker.platform_public_keys();   ///< the worker's, PKIX DER
    execution::PendingAction action =
        client.seal(platform.public_key(), as_bytes("fuzz"), {{}, execution::Duration::from_seconds(60)},
                    execution::NoncePolicy::random)
            .value();
};

} // namespace sealpipe::fuzz

#endif // SEALPIPE_FUZZ_SUPPORT_PARTIES_HPP
