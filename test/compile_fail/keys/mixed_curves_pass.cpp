// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of mixed_curves_fail.cpp: same curve, or Ed25519 with X25519 (doc/protocol.md#keys-and-key-agreement),
// compiles.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

auto use(const PrivateKey<P256>& mine, const PublicKey<P256>& peer) { return ecdh(mine, peer); }
auto use_ed(const PrivateKey<Ed25519>& mine, const PublicKey<X25519>& peer) { return ecdh(mine, peer); }
