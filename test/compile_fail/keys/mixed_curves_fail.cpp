// expect: sealpipe: ecdh\(private, peer\) needs two keys of the same curve
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// ECDH between a P-256 private key and an X25519 public key does not compile.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

auto misuse(const PrivateKey<P256>& mine, const PublicKey<X25519>& peer) { return ecdh(mine, peer); }
