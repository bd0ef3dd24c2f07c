// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella for authenticated encryption: the `Aead` concept, AES-GCM-SIV with its dispatch
// paths, and AES-GCM (for randomized encoding only). Raw calls on key bytes are in
// <sealpipe/hazmat/aead.hpp>.

#ifndef SEALPIPE_AEAD_HPP
#define SEALPIPE_AEAD_HPP

#include <sealpipe/aead/aes_gcm.hpp>
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/aead/concepts.hpp>
#include <sealpipe/aead/implementation.hpp>

#endif // SEALPIPE_AEAD_HPP
