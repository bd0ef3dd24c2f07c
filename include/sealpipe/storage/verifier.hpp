// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Sha256V1Verifier`: the default `ObjectVerifier`, checking every rule of doc/protocol.md, "Objects and
// references".

#ifndef SEALPIPE_STORAGE_VERIFIER_HPP
#define SEALPIPE_STORAGE_VERIFIER_HPP

#include <sealpipe/object/contents.hpp>
#include <sealpipe/object/reference.hpp>
#include <sealpipe/storage/concepts.hpp>

#include <vector>

namespace sealpipe::storage {

/** Checks an object against its SHA256_V1 reference with every rule of doc/protocol.md, "Objects and
    references", (`object::ContentsView::from_data`): the data length equals the reference's size, the
    SHA-256 matches, and the leading `degree` outgoing references are valid, strictly sorted and
    consistent with the reference's height and parents size.

    @par Security A match makes substituted or torn data detectable; it does not
    authenticate who stored the object (storage is trusted with availability only). */
struct Sha256V1Verifier {
    [[nodiscard]] static result<void> verify(const Reference& r, ByteView data) {
        auto contents = object::ContentsView::from_data(r, data);
        if (!contents) return Error(errc::object_corrupt, r.to_hex() + ": " + contents.error().message());
        return {};
    }

    [[nodiscard]] static result<std::vector<Reference>> children(const Reference& r, ByteView data) {
        auto contents = object::ContentsView::from_data(r, data);
        if (!contents) return Error(errc::object_corrupt, r.to_hex() + ": " + contents.error().message());
        return std::vector<Reference>(contents->children().begin(), contents->children().end());
    }
};

static_assert(ObjectVerifier<Sha256V1Verifier>);

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_VERIFIER_HPP
