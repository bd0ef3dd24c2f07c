// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A first look at sealpipe's core: hashing, encodings, PEM, secrets and the error model.

#include <sealpipe.hpp>

#include <cstdio>

int main() {
    using namespace sealpipe;

    // tag::core[]
    const Digest32 digest = sha256(as_bytes("hello, untrusted world"));
    std::printf("sha256     %s\n", hex_encode(digest).c_str());
    std::printf("base64url  %s\n", base64url_encode(digest, Base64Padding::unpadded).c_str());

    // A fresh 32-byte key, wiped when it goes out of scope. Reading it takes a token.
    auto key = FixedSecret<32>::generate();
    if (!key) {
        std::fprintf(stderr, "no randomness: %s\n", key.error().message().c_str());
        return 2;
    }

    // Errors are values with a category and a sentence.
    auto bad = hex_decode("not hex");
    if (!bad) std::printf("hex_decode: %s (exit code %d)\n", bad.error().message().c_str(),
                          (bad.error() == condition::verification_failed ? 1 : 2));
    // end::core[]

    std::fputs(pem_write("EXAMPLE", digest).c_str(), stdout);
    return 0;
}
