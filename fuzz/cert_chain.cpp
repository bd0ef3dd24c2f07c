// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: certificate chain input (PEM, and DER as one certificate) never crashes;
// accepted chains yield a leaf key or a clean error, and verification against a store made
// of the input itself returns a result.

#include <sealpipe/keys/x509.hpp>

#include <chrono>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    using namespace sealpipe::keys;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto chain = CertificateChain::from_pem(text);
    if (!chain) chain = CertificateChain::from_der(std::vector<Bytes>{Bytes(data, data + size)});
    if (!chain) return 0;
    (void)chain->leaf_agreement_key();
    if (auto store = TrustStore::from_der(chain->der()))
        (void)store->verify_client(*chain, std::chrono::system_clock::time_point(std::chrono::seconds(1800000000)));
    return 0;
}
