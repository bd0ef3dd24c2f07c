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
    references", (`object::ContentsView::from_data`): the key is a valid reference, the data length equals
    its size, the SHA-256 matches, and the leading `degree` outgoing references are valid,
    strictly sorted and consistent with the key's height and parents size.

    @par Security A match makes substituted or torn data detectable; it does not
    authenticate who stored the object (storage is trusted with availability only). */
struct Sha256V1Verifier {
    [[nodiscard]] static result<void> check_key(const Key& k) {
        auto ref = object::Reference::from_bytes(k.view());
        if (!ref) return Error(error::invalid_reference, ref.error().message());
        return {};
    }

    [[nodiscard]] static result<void> verify(const Key& k, ByteView data) {
        auto ref = object::Reference::from_bytes(k.view());
        if (!ref) return Error(error::invalid_reference, ref.error().message());
        auto contents = object::ContentsView::from_data(*ref, data);
        if (!contents) return Error(error::object_corrupt, to_hex(k) + ": " + contents.error().message());
        return {};
    }

    [[nodiscard]] static result<std::vector<Key>> children(const Key& k, ByteView data) {
        auto ref = object::Reference::from_bytes(k.view());
        if (!ref) return Error(error::invalid_reference, ref.error().message());
        auto contents = object::ContentsView::from_data(*ref, data);
        if (!contents) return Error(error::object_corrupt, to_hex(k) + ": " + contents.error().message());
        std::vector<Key> out;
        out.reserve(contents->children().size());
        for (const auto& child : contents->children()) out.push_back(Key(child.array()));
        return out;
    }

    /// The size the key announces (0 for a key that is not a valid reference).
    [[nodiscard]] static std::size_t announced_size(const Key& k) noexcept {
        auto ref = object::Reference::from_bytes(k.view());
        return ref ? ref->size() : 0;
    }
};

static_assert(ObjectVerifier<Sha256V1Verifier>);

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_VERIFIER_HPP
