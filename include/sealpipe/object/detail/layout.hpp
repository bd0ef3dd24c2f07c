// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Compile-time machinery behind a format's layout: finding a field, its value type, reading
// and writing it, the invariants every format must satisfy, and the parents-size bounds.

#ifndef SEALPIPE_OBJECT_DETAIL_LAYOUT_HPP
#define SEALPIPE_OBJECT_DETAIL_LAYOUT_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/object/float16.hpp>
#include <sealpipe/object/format.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace sealpipe::object::detail {

inline constexpr std::array<Field, 5> all_fields{Field::hash, Field::size, Field::height, Field::degree,
                                                 Field::parents_size};

/// How many times `f` appears in `F::layout`.
template <class F>
constexpr std::size_t count_field(Field f) noexcept {
    return static_cast<std::size_t>(
        std::count_if(F::layout.begin(), F::layout.end(), [f](const FieldLayout& l) { return l.field == f; }));
}

/// Each field exactly once, and nothing else.
template <class F>
constexpr bool fields_unique() noexcept {
    for (Field f : all_fields)
        if (count_field<F>(f) != 1) return false;
    return F::layout.size() == all_fields.size();
}

/// The layout entry of `f` (a format that passed `fields_unique` has exactly one).
template <class F>
constexpr FieldLayout layout_of(Field f) noexcept {
    for (const FieldLayout& l : F::layout)
        if (l.field == f) return l;
    return {f, 0, 0, FieldEncoding::bytes};
}

/// Sorted by offset, each field starts where the previous one ends, the first at 0 and the
/// last ending at `reference_bytes`: no gap, no overlap, nothing outside.
template <class F>
constexpr bool fields_tile() noexcept {
    auto sorted = F::layout;
    std::sort(sorted.begin(), sorted.end(),
              [](const FieldLayout& a, const FieldLayout& b) { return a.offset < b.offset; });
    std::size_t end = 0;
    for (const FieldLayout& l : sorted) {
        if (l.width == 0 || l.offset != end) return false;
        end = l.offset + l.width;
    }
    return end == F::reference_bytes;
}

/// The flat reference is exactly the hash followed by the size, at the start.
template <class F>
constexpr bool flat_is_hash_and_size_prefix() noexcept {
    constexpr FieldLayout hash = layout_of<F>(Field::hash);
    constexpr FieldLayout size = layout_of<F>(Field::size);
    return hash.offset == 0 && size.offset == hash.width &&
           F::flat_reference_bytes == hash.width + size.width;
}

/// Encodings match the fields: bytes for the hash (as wide as the digest), integers of at
/// most 8 bytes for size, height and degree, a 2-byte Float16 for the parents size.
template <class F>
constexpr bool encodings_fit() noexcept {
    for (const FieldLayout& l : F::layout) {
        switch (l.field) {
        case Field::hash:
            if (l.encoding != FieldEncoding::bytes || l.width != F::hash_type::digest_bytes) return false;
            break;
        case Field::parents_size:
            if (l.encoding != FieldEncoding::float16_little_endian || l.width != 2) return false;
            break;
        default:
            if (l.encoding != FieldEncoding::little_endian || l.width > 8) return false;
        }
    }
    return true;
}

/// The largest unsigned value a little-endian field of `width` bytes holds.
constexpr std::uint64_t max_for_width(std::size_t width) noexcept {
    return width >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * width)) - 1;
}

/// The size field holds every legal size, and the degree field every legal degree.
template <class F>
constexpr bool limits_fit() noexcept {
    return F::min_object_bytes >= 1 && F::min_object_bytes <= F::max_object_bytes &&
           F::max_object_bytes <= max_for_width(layout_of<F>(Field::size).width) &&
           F::max_object_bytes / F::reference_bytes <= max_for_width(layout_of<F>(Field::degree).width);
}

// Value types ------------------------------------------------------------------------------

template <std::size_t Width>
using uint_for_width =
    std::conditional_t<Width == 1, std::uint8_t,
                       std::conditional_t<Width == 2, std::uint16_t,
                                          std::conditional_t<Width <= 4, std::uint32_t, std::uint64_t>>>;

template <class F, Field Which, FieldEncoding E = layout_of<F>(Which).encoding>
struct FieldValue {
    using type = uint_for_width<layout_of<F>(Which).width>;
};
template <class F, Field Which>
struct FieldValue<F, Which, FieldEncoding::bytes> {
    using type = typename F::hash_type::digest_type;
};
template <class F, Field Which>
struct FieldValue<F, Which, FieldEncoding::float16_little_endian> {
    using type = Float16;
};

/// The C++ type of field `Which` in format `F`: the digest type, an unsigned integer just
/// wide enough, or Float16.
template <class F, Field Which>
using field_value_t = typename FieldValue<F, Which>::type;

/// Reads field `Which` from a raw reference.
template <class F, Field Which>
constexpr field_value_t<F, Which> read_field(const std::array<Byte, F::reference_bytes>& raw) noexcept {
    constexpr FieldLayout l = layout_of<F>(Which);
    if constexpr (l.encoding == FieldEncoding::bytes) {
        field_value_t<F, Which> out;
        std::copy_n(raw.begin() + l.offset, l.width, out.begin());
        return out;
    } else {
        std::uint64_t v = 0;
        for (std::size_t i = l.width; i-- > 0;) v = v << 8 | raw[l.offset + i];
        if constexpr (l.encoding == FieldEncoding::float16_little_endian)
            return Float16::from_bits(static_cast<std::uint16_t>(v));
        else
            return static_cast<field_value_t<F, Which>>(v);
    }
}

/// Writes field `Which` into a raw reference (integers are truncated to the field's width;
/// callers check ranges first).
template <class F, Field Which>
constexpr void write_field(std::array<Byte, F::reference_bytes>& raw, const field_value_t<F, Which>& value) noexcept {
    constexpr FieldLayout l = layout_of<F>(Which);
    if constexpr (l.encoding == FieldEncoding::bytes) {
        std::copy_n(value.begin(), l.width, raw.begin() + l.offset);
    } else {
        std::uint64_t v;
        if constexpr (l.encoding == FieldEncoding::float16_little_endian) v = value.bits();
        else v = value;
        for (std::size_t i = 0; i < l.width; ++i, v >>= 8) raw[l.offset + i] = static_cast<Byte>(v);
    }
}

// Parents-size bounds ----------------------------------------------------------------------

/// The inclusive range of stored parents sizes reachable at one height.
struct ParentsSizeBounds {
    Float16 minimum;
    Float16 maximum;
};

/// The highest height the format can express.
template <class F>
inline constexpr std::size_t max_height = max_for_width(layout_of<F>(Field::height).width) > 255
                                              ? 255
                                              : static_cast<std::size_t>(max_for_width(layout_of<F>(Field::height).width));

/** bound[0] = bound[1] = [0, 0]; for h >= 2, bound[h] = [f(bound[h-1].min + reference_bytes),
    f(bound[h-1].max + max_object_bytes)] with f the Float16 round-up (doc/protocol.md, "Objects and
    references", Bonanza's
    `maximumTotalParentsSizeBytesBounds`). `representable` is false when some bound does not
    fit a Float16; `check_format` rejects such a format. */
template <class F>
struct ParentsSizeTable {
    std::array<ParentsSizeBounds, max_height<F> + 1> bounds{};
    bool representable = true;
};

template <class F>
constexpr ParentsSizeTable<F> make_parents_size_table() noexcept {
    ParentsSizeTable<F> t;
    ParentsSizeBounds b{};
    for (std::size_t h = 2; h <= max_height<F>; ++h) {
        const auto lo = Float16::round_up(b.minimum.value() + F::reference_bytes);
        const auto hi = Float16::round_up(b.maximum.value() + F::max_object_bytes);
        if (!lo || !hi) {
            t.representable = false;
            return t;
        }
        b = {*lo, *hi};
        t.bounds[h] = b;
    }
    return t;
}

/// The table, computed once at compile time per format.
template <class F>
inline constexpr ParentsSizeTable<F> parents_size_table = make_parents_size_table<F>();

// The checks, one readable message each ------------------------------------------------------

template <class F>
constexpr bool check_format() noexcept {
    if constexpr (!ReferenceFormat<F>) {
        static_assert(ReferenceFormat<F>,
                      "sealpipe: BasicReference<Format>: Format must model sealpipe::object::ReferenceFormat "
                      "(see Sha256V1 and doc/objects.md)");
        return false;
    } else {
        static_assert(fields_unique<F>(),
                      "sealpipe: a reference format must list each object::Field exactly once in Format::layout");
        static_assert(fields_tile<F>(),
                      "sealpipe: the fields of Format::layout must tile Format::reference_bytes exactly, "
                      "with no gap and no overlap");
        static_assert(flat_is_hash_and_size_prefix<F>(),
                      "sealpipe: the flat reference (Format::flat_reference_bytes) must be the hash and the "
                      "size fields, at the start of the reference");
        static_assert(encodings_fit<F>(),
                      "sealpipe: Field::hash must be bytes as wide as Format::hash_type's digest, "
                      "Field::parents_size a 2-byte Float16, the other fields integers of at most 8 bytes");
        static_assert(limits_fit<F>(),
                      "sealpipe: the size and degree fields of Format must hold every size in "
                      "[min_object_bytes, max_object_bytes] and every possible degree");
        static_assert(parents_size_table<F>.representable,
                      "sealpipe: Float16 cannot express every maximum total parents size reachable in Format");
        return true;
    }
}

} // namespace sealpipe::object::detail

#endif // SEALPIPE_OBJECT_DETAIL_LAYOUT_HPP
