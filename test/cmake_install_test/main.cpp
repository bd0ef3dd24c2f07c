// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A consumer of the installed package: uses the umbrella header and a few core calls.
#include <sealpipe.hpp>

#include <cstdio>

int main() {
    const auto digest = sealpipe::sha256(sealpipe::as_bytes("abc"));
    const bool ok = sealpipe::hex_encode(digest) ==
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    std::printf("sealpipe %s: %s\n", SEALPIPE_VERSION_STRING, ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
