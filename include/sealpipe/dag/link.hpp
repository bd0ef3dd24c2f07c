// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A link: the reference of an encoded object plus the decoding parameters needed to read it,
// printable as `<reference hex>.<parameters hex>`.

#ifndef SEALPIPE_DAG_LINK_HPP
#define SEALPIPE_DAG_LINK_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/object/reference.hpp>

#include <compare>
#include <string>
#include <string_view>

namespace sealpipe::dag {

/** Everything needed to read one object: where it is (its reference) and how to decode it
    (its decoding parameters, e.g. the AES-GCM-SIV tag in deterministic mode).
    @par Security The parameters are secret: with the key, they decrypt the object. Keep a
    link only where the object's plaintext may be read (inside an encrypted parent, an
    encrypted action, or given to the user). */
struct Link {
    object::Reference reference;
    Bytes parameters;

    /// `<reference hex>.<parameters hex>` (the parameters may be empty).
    [[nodiscard]] std::string to_string() const {
        return hex_encode(reference.bytes()) + "." + hex_encode(parameters);
    }

    /** Parses the form `to_string()` writes (reference hex, a dot, parameters hex); the reference
        is validated.
        @par Errors `errc::malformed_input` without the dot or for bad hex;
        `errc::invalid_length` / `errc::invalid_reference` for a bad reference. */
    [[nodiscard]] static result<Link> parse(std::string_view text) {
        const auto dot = text.find('.');
        if (dot == std::string_view::npos)
            return fail(errc::malformed_input, "link: expected <reference hex>.<parameters hex>");
        auto ref = object::Reference::from_hex(text.substr(0, dot));
        if (!ref) return std::move(ref.error()).context("link");
        auto params = hex_decode(text.substr(dot + 1));
        if (!params) return std::move(params.error()).context("link parameters");
        return Link{*ref, std::move(*params)};
    }

    friend bool operator==(const Link&, const Link&) = default;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_LINK_HPP
