// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: key import (PKCS#8 and SubjectPublicKeyInfo, DER and PEM) never crashes, and
// every key it accepts is written back to exactly the bytes that were read (one encoding
// per key) or, for PKCS#8 with optional fields, to a form that reads back to the same key.

#include <sealpipe/keys.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    using namespace sealpipe::keys;
    const ByteView in(data, size);
    if (auto pub = AnyPublicKey::from_der(in)) {
        if (pub->to_der() != Bytes(in.begin(), in.end())) std::abort();
    }
    if (auto priv = AnyPrivateKey::from_der(in)) {
        auto again = AnyPrivateKey::from_der(priv->to_der());
        if (!again || !(again->public_key() == priv->public_key())) std::abort();
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto pub = AnyPublicKey::from_pem(text)) {
        if (!(AnyPublicKey::from_pem(pub->to_pem()).value() == *pub)) std::abort();
    }
    if (auto priv = AnyPrivateKey::from_pem(text)) {
        (void)priv->public_key().to_der();
        // ECDH with itself exercises the agreement code on whatever was accepted.
        (void)ecdh(*priv, priv->public_key());
    }
    return 0;
}
