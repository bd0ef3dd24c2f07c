// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Reference format policies: the byte layout of a reference written once as a compile-time
// list of fields, the ReferenceFormat concept, and the SHA256_V1 policy (doc/protocol.md, "Objects and
// references").

#ifndef SEALPIPE_OBJECT_FORMAT_HPP
#define SEALPIPE_OBJECT_FORMAT_HPP

#include <sealpipe/core/hash.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sealpipe::object {

/// What a field of a reference means. Every format defines each of them exactly once.
enum class Field {
    hash,          ///< digest of the object's full data (outgoing references and payload)
    size,          ///< object size in bytes, references included
    height,        ///< 0 for a leaf, else 1 + the largest child height
    degree,        ///< number of outgoing references
    parents_size,  ///< maximum total parents size, rounded up to a Float16
};

/// How a field's bytes encode its value.
enum class FieldEncoding {
    bytes,                  ///< the bytes themselves (the hash)
    little_endian,          ///< an unsigned integer, least significant byte first
    float16_little_endian,  ///< a Float16 (float16.hpp), least significant byte first
};

/// One entry of a format's layout: which field lives at which bytes, and how it is encoded.
struct FieldLayout {
    Field field;
    std::size_t offset;
    std::size_t width;
    FieldEncoding encoding;
};

/** Reference format SHA256_V1 (Bonanza `ReferenceFormat`), the only format Bonanza defines.

    | offset | width | field | encoding |
    | --- | --- | --- | --- |
    | 0 | 32 | hash | SHA-256 of the full data |
    | 32 | 3 | size | little-endian |
    | 35 | 1 | height | little-endian |
    | 36 | 2 | degree | little-endian |
    | 38 | 2 | parents_size | Float16, little-endian |

    The flat reference is the first 35 bytes (hash and size). Everything about references,
    objects and their validation is derived from these members; `detail::check_format`
    proves at compile time that the layout tiles the reference exactly. */
struct Sha256V1 {
    /// The format's name in Bonanza (`ReferenceFormat_SHA256_V1`), used in messages.
    static constexpr std::string_view name = "SHA256_V1";
    /// The hash's label in the human form `SHA256=<hex>:S=…:H=…:D=…:M=…`.
    static constexpr std::string_view hash_label = "SHA256";
    /// The hash function that computes `Field::hash`.
    using hash_type = Sha256;

    static constexpr std::size_t reference_bytes = 40;
    static constexpr std::size_t flat_reference_bytes = 35;
    static constexpr std::size_t min_object_bytes = 1;
    static constexpr std::size_t max_object_bytes = std::size_t{1} << 21;  // 2 MiB

    // tag::layout[]
    static constexpr std::array<FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 3, FieldEncoding::little_endian},
        {Field::height, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 36, 2, FieldEncoding::little_endian},
        {Field::parents_size, 38, 2, FieldEncoding::float16_little_endian},
    }};
    // end::layout[]
};

/** A reference format policy (doc/objects.md, "The format policy"): a type with the members of
    `Sha256V1`. The concept checks their presence and types; `BasicReference<Format>` also
    checks the layout's invariants with a readable `static_assert` for each. */
template <class F>
concept ReferenceFormat = requires {
    { F::name } -> std::convertible_to<std::string_view>;
    { F::hash_label } -> std::convertible_to<std::string_view>;
    typename F::hash_type;
    { F::hash_type::digest_bytes } -> std::convertible_to<std::size_t>;
    { F::reference_bytes } -> std::convertible_to<std::size_t>;
    { F::flat_reference_bytes } -> std::convertible_to<std::size_t>;
    { F::min_object_bytes } -> std::convertible_to<std::size_t>;
    { F::max_object_bytes } -> std::convertible_to<std::size_t>;
    { F::layout.size() } -> std::convertible_to<std::size_t>;
    { F::layout[0] } -> std::convertible_to<FieldLayout>;
};

static_assert(ReferenceFormat<Sha256V1>);

} // namespace sealpipe::object

#endif // SEALPIPE_OBJECT_FORMAT_HPP
