// expect: sealpipe: a KeyType needs static generate\(out\), public_from_private
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A key type policy with its constants but without its operations is refused, naming the
// missing part once.
#include <sealpipe/keys.hpp>

struct HalfKeyType {
    static constexpr std::string_view name = "Half";
    static constexpr std::size_t private_bytes = 32;
    static constexpr std::size_t public_bytes = 32;
    static constexpr auto kind = sealpipe::keys::X25519::kind;
    using agreement_curve = HalfKeyType;
};

[[maybe_unused]] constexpr auto size = sizeof(sealpipe::keys::PublicKey<HalfKeyType>);
