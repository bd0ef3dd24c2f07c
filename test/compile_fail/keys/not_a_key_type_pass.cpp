// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of not_a_key_type_fail.cpp: a policy with its operations too is a KeyType.
#include <sealpipe/keys.hpp>

struct WholeKeyType {
    static constexpr std::string_view name = "Whole";
    static constexpr std::size_t private_bytes = 32;
    static constexpr std::size_t public_bytes = 32;
    static constexpr auto kind = sealpipe::keys::X25519::kind;
    using agreement_curve = WholeKeyType;
    static sealpipe::result<void> generate(sealpipe::MutableByteView) { return {}; }
    static sealpipe::result<void> public_from_private(sealpipe::ByteView, sealpipe::MutableByteView) { return {}; }
    static sealpipe::result<void> check_private(sealpipe::ByteView) { return {}; }
    static sealpipe::result<void> check_public(sealpipe::ByteView) { return {}; }
};

static_assert(sealpipe::keys::KeyType<WholeKeyType>);
[[maybe_unused]] constexpr auto size = sizeof(sealpipe::keys::PublicKey<WholeKeyType>);
