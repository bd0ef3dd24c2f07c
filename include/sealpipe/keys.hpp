// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella for the keys area: key policies, typed keys, ECDH, purposes, proofs, Ed25519.
// X.509 (sealpipe/keys/x509.hpp) needs OpenSSL (component sealpipe::x509) and is separate.

#ifndef SEALPIPE_KEYS_HPP
#define SEALPIPE_KEYS_HPP

#include <sealpipe/keys/concepts.hpp>
#include <sealpipe/keys/curves.hpp>
#include <sealpipe/keys/ecdh.hpp>
#include <sealpipe/keys/ed25519.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/proof.hpp>
#include <sealpipe/keys/purpose.hpp>

#endif // SEALPIPE_KEYS_HPP
