// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// BasicReference<Format> and BasicFlatReference<Format>: validated object references whose
// accessors are generated from the format's layout; `Reference` is the SHA256_V1 one.

#ifndef SEALPIPE_OBJECT_REFERENCE_HPP
#define SEALPIPE_OBJECT_REFERENCE_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/object/detail/layout.hpp>
#include <sealpipe/object/float16.hpp>
#include <sealpipe/object/format.hpp>

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <string>
#include <string_view>

namespace sealpipe::object {

template <class Format>
class BasicReference;
template <class Format>
class BasicFlatReference;

namespace detail {

/// The one door to an unchecked reference, for code that has just computed or validated it.
struct ReferenceAccess {
    template <class Format>
    static constexpr BasicReference<Format> unchecked(const std::array<Byte, Format::reference_bytes>& raw) noexcept {
        return BasicReference<Format>(raw);
    }
};

/** Bonanza's `NewLocalReference` rules (doc/protocol.md, "Objects and references"), with its messages. The
    length is checked by the caller. */
template <class F>
result<void> validate_reference(const std::array<Byte, F::reference_bytes>& raw) {
    const std::uint64_t size = read_field<F, Field::size>(raw);
    if (size < F::min_object_bytes || size > F::max_object_bytes)
        return fail(errc::invalid_reference,
                    "Size is " + std::to_string(size) + " bytes, which lies outside the permitted range of [" +
                        std::to_string(F::min_object_bytes) + ", " + std::to_string(F::max_object_bytes) + "] bytes");
    const std::uint64_t max_degree = size / F::reference_bytes;
    const std::uint64_t degree = read_field<F, Field::degree>(raw);
    if (degree > max_degree)
        return fail(errc::invalid_reference,
                    "Degree is " + std::to_string(degree) + ", while an object of " + std::to_string(size) +
                        " bytes in size can only have a maximum degree of " + std::to_string(max_degree));
    const std::uint64_t height = read_field<F, Field::height>(raw);
    if ((degree > 0) != (height > 0))
        return fail(errc::invalid_reference, "Degree is " + std::to_string(degree) + " and height is " +
                                                  std::to_string(height) +
                                                  ", while both either have to be zero or non-zero");
    if (height > max_height<F>)
        return fail(errc::invalid_reference, "Height is " + std::to_string(height) + ", which exceeds the maximum of " +
                                                  std::to_string(max_height<F>));
    const ParentsSizeBounds bounds = parents_size_table<F>.bounds[height];
    const Float16 parents = read_field<F, Field::parents_size>(raw);
    if (parents < bounds.minimum || parents > bounds.maximum)
        return fail(errc::invalid_reference,
                    "Maximum total parents size is " + std::to_string(parents.value()) + " bytes, which at height " +
                        std::to_string(height) + " lies outside the permitted range of [" +
                        std::to_string(bounds.minimum.value()) + ", " + std::to_string(bounds.maximum.value()) +
                        "] bytes");
    return {};
}

} // namespace detail

/** A reference to an object: its hash, size, height, degree and maximum total parents size,
    packed as `Format` lays them out (doc/protocol.md, "Objects and references"). A value of this type is
    always valid: the only ways to make one validate it (or compute it from data, see `BasicContents`).

    Ordering (`<=>`) is bytewise over the raw reference, the order in which an object lists
    its outgoing references. `compare_by_height` is Bonanza's traversal order.

    @par Security
    The hash names the object's bytes, but the degree is not part of them: the data does not
    say how many leading 40-byte groups are references. A reference must therefore come whole
    from a trusted place (a parent that was itself verified, or the user); see doc/objects.md. */
template <class Format>
class BasicReference {
    static_assert(detail::check_format<Format>());

public:
    using format_type = Format;
    /// The digest type of the hash field.
    using hash_type = detail::field_value_t<Format, Field::hash>;
    static constexpr std::size_t size_bytes = Format::reference_bytes;
    using raw_type = std::array<Byte, size_bytes>;
    /// The highest height the format expresses.
    static constexpr std::size_t max_height = detail::max_height<Format>;

    /** Parses and validates a raw reference.
        @par Errors
        `errc::invalid_length` unless `raw` is exactly `size_bytes` long;
        `errc::invalid_reference` when a rule of doc/protocol.md, "Validating a reference", is broken (size
        outside [min, max]; degree above size / reference size; height and degree not both zero or both
        non-zero; parents size outside the bounds of its height), with a message naming it. */
    [[nodiscard]] static result<BasicReference> from_bytes(ByteView raw) {
        if (raw.size() != size_bytes) return length_error(std::string(Format::name) + " reference", size_bytes, raw.size());
        raw_type a;
        std::copy(raw.begin(), raw.end(), a.begin());
        if (auto v = detail::validate_reference<Format>(a); !v) return v.error();
        return BasicReference(a);
    }

    /** Parses a reference written in hex (either case), as `from_bytes`.
        @par Errors `errc::malformed_input` for text that is not hex, else as `from_bytes`. */
    [[nodiscard]] static result<BasicReference> from_hex(std::string_view text) {
        auto b = hex_decode(text);
        if (!b) return std::move(b.error()).context("reference");
        return from_bytes(*b);
    }

    /** Packs and validates a reference from its fields. `max_parents_total_size` is rounded up
        to a Float16 as the format stores it.
        @par Errors `errc::invalid_reference` when a value does not fit its field or the
        result breaks a rule of `from_bytes`. */
    [[nodiscard]] static result<BasicReference> from_fields(const hash_type& hash, std::uint64_t size,
                                                            std::uint64_t height, std::uint64_t degree,
                                                            std::uint64_t max_parents_total_size) {
        auto fits = [](Field f, std::uint64_t v) { return v <= detail::max_for_width(detail::layout_of<Format>(f).width); };
        if (!fits(Field::size, size) || !fits(Field::height, height) || !fits(Field::degree, degree))
            return fail(errc::invalid_reference, "a size, height or degree does not fit its field in " +
                                                      std::string(Format::name));
        const auto parents = Float16::round_up(max_parents_total_size);
        if (!parents)
            return fail(errc::invalid_reference, "a maximum total parents size of " +
                                                      std::to_string(max_parents_total_size) +
                                                      " bytes cannot be expressed as a Float16");
        raw_type a{};
        detail::write_field<Format, Field::hash>(a, hash);
        detail::write_field<Format, Field::size>(a, static_cast<detail::field_value_t<Format, Field::size>>(size));
        detail::write_field<Format, Field::height>(a, static_cast<detail::field_value_t<Format, Field::height>>(height));
        detail::write_field<Format, Field::degree>(a, static_cast<detail::field_value_t<Format, Field::degree>>(degree));
        detail::write_field<Format, Field::parents_size>(a, *parents);
        if (auto v = detail::validate_reference<Format>(a); !v) return v.error();
        return BasicReference(a);
    }

    /// Field `Which`, read as the format's layout says (the generated accessor).
    template <Field Which>
    [[nodiscard]] constexpr detail::field_value_t<Format, Which> get() const noexcept {
        return detail::read_field<Format, Which>(raw_);
    }

    /// The hash of the object's full data.
    [[nodiscard]] constexpr hash_type hash() const noexcept { return get<Field::hash>(); }
    /// The object's size in bytes (outgoing references and payload).
    [[nodiscard]] constexpr std::size_t size() const noexcept { return get<Field::size>(); }
    /// 0 for a leaf, else 1 + the largest child height.
    [[nodiscard]] constexpr std::size_t height() const noexcept { return get<Field::height>(); }
    /// The number of outgoing references.
    [[nodiscard]] constexpr std::size_t degree() const noexcept { return get<Field::degree>(); }
    /// The stored (rounded-up) maximum total parents size, as its Float16.
    [[nodiscard]] constexpr Float16 parents_size_field() const noexcept { return get<Field::parents_size>(); }
    /** The maximum total size of the objects on any path from this object down to a leaf,
        excluding this object and the leaves, rounded up (Bonanza
        `GetMaximumTotalParentsSizeBytes(false)`). Bounds the memory of a traversal. */
    [[nodiscard]] constexpr std::uint64_t max_parents_total_size() const noexcept {
        return parents_size_field().value();
    }
    /// As `max_parents_total_size`, plus this object's own size when it is not a leaf
    /// (Bonanza `GetMaximumTotalParentsSizeBytes(true)`).
    [[nodiscard]] constexpr std::uint64_t max_parents_total_size_including_self() const noexcept {
        return max_parents_total_size() + (height() > 0 ? size() : 0);
    }

    /// The flat reference: hash and size only.
    [[nodiscard]] constexpr BasicFlatReference<Format> flat() const noexcept;

    /// The raw bytes.
    [[nodiscard]] constexpr ByteView bytes() const noexcept { return {raw_.data(), raw_.size()}; }
    [[nodiscard]] constexpr const raw_type& array() const noexcept { return raw_; }

    /// The raw reference in lowercase hex (80 digits for SHA256_V1), as the CLI prints it; `from_hex` reads it.
    [[nodiscard]] std::string to_hex() const { return hex_encode(bytes()); }

    /// Bonanza's human form: `SHA256=<hex>:S=<size>:H=<height>:D=<degree>:M=<parents size>`.
    [[nodiscard]] std::string to_string() const {
        return std::string(Format::hash_label) + "=" + hex_encode(hash()) + ":S=" + std::to_string(size()) +
               ":H=" + std::to_string(height()) + ":D=" + std::to_string(degree()) +
               ":M=" + std::to_string(max_parents_total_size());
    }

    /// Bytewise equality and order of the raw references.
    friend constexpr bool operator==(const BasicReference&, const BasicReference&) noexcept = default;
    friend constexpr std::strong_ordering operator<=>(const BasicReference&, const BasicReference&) noexcept = default;

    template <class CharT, class Traits>
    friend std::basic_ostream<CharT, Traits>& operator<<(std::basic_ostream<CharT, Traits>& os, const BasicReference& r) {
        return os << r.to_string().c_str();
    }

private:
    friend struct detail::ReferenceAccess;
    constexpr explicit BasicReference(const raw_type& raw) noexcept : raw_(raw) {}

    raw_type raw_;
};

/** Bonanza's `CompareByHeight`: lower height first, then lower maximum total parents size
    including self, then bytewise. A total order in which every object comes after all of its
    descendants, for bounded parallel traversal of a DAG. */
template <class Format>
[[nodiscard]] constexpr std::strong_ordering compare_by_height(const BasicReference<Format>& a,
                                                               const BasicReference<Format>& b) noexcept {
    if (auto c = a.height() <=> b.height(); c != 0) return c;
    if (auto c = a.max_parents_total_size_including_self() <=> b.max_parents_total_size_including_self(); c != 0)
        return c;
    return a <=> b;
}

/// `compare_by_height` as a strict weak ordering for `std::sort`, `std::set` and friends.
struct ByHeight {
    template <class Format>
    constexpr bool operator()(const BasicReference<Format>& a, const BasicReference<Format>& b) const noexcept {
        return compare_by_height(a, b) < 0;
    }
};

/** A flat reference: the hash and size prefix of a reference, for stores that see objects
    one by one and ignore the graph. Always valid (its size is checked). */
template <class Format>
class BasicFlatReference {
    static_assert(detail::check_format<Format>());

public:
    using format_type = Format;
    using hash_type = detail::field_value_t<Format, Field::hash>;
    static constexpr std::size_t size_bytes = Format::flat_reference_bytes;
    using raw_type = std::array<Byte, size_bytes>;

    /** Parses a raw flat reference.
        @par Errors `errc::invalid_length` unless `raw` is `size_bytes` long;
        `errc::invalid_reference` for a size outside the format's bounds. */
    [[nodiscard]] static result<BasicFlatReference> from_bytes(ByteView raw) {
        if (raw.size() != size_bytes)
            return length_error(std::string(Format::name) + " flat reference", size_bytes, raw.size());
        typename BasicReference<Format>::raw_type full{};
        std::copy(raw.begin(), raw.end(), full.begin());
        if (auto v = detail::validate_reference<Format>(full); !v) return v.error();
        return BasicFlatReference(detail::ReferenceAccess::unchecked<Format>(full));
    }

    [[nodiscard]] constexpr hash_type hash() const noexcept { return to_reference().hash(); }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return to_reference().size(); }
    /// The reference with this hash and size and zero height, degree and parents size (Bonanza
    /// `FlatReference.GetLocalReference`); always valid.
    [[nodiscard]] constexpr BasicReference<Format> to_reference() const noexcept {
        typename BasicReference<Format>::raw_type full{};
        std::copy(raw_.begin(), raw_.end(), full.begin());
        return detail::ReferenceAccess::unchecked<Format>(full);
    }
    [[nodiscard]] constexpr ByteView bytes() const noexcept { return {raw_.data(), raw_.size()}; }

    friend constexpr bool operator==(const BasicFlatReference&, const BasicFlatReference&) noexcept = default;
    friend constexpr std::strong_ordering operator<=>(const BasicFlatReference&, const BasicFlatReference&) noexcept = default;

private:
    friend class BasicReference<Format>;
    constexpr explicit BasicFlatReference(const BasicReference<Format>& r) noexcept {
        std::copy_n(r.array().begin(), size_bytes, raw_.begin());
    }

    raw_type raw_{};
};

template <class Format>
constexpr BasicFlatReference<Format> BasicReference<Format>::flat() const noexcept {
    return BasicFlatReference<Format>(*this);
}

/// A SHA256_V1 reference.
using Reference = BasicReference<Sha256V1>;

/// A hash for unordered containers of references: the leading bytes are the object's SHA-256, already uniform.
struct ReferenceHash {
    template <class Format>
    std::size_t operator()(const BasicReference<Format>& r) const noexcept {
        std::size_t h;
        std::memcpy(&h, r.array().data(), sizeof h);
        return h;
    }
};
/// A SHA256_V1 flat reference.
using FlatReference = BasicFlatReference<Sha256V1>;

static_assert(sizeof(Reference) == Sha256V1::reference_bytes);

} // namespace sealpipe::object

#endif // SEALPIPE_OBJECT_REFERENCE_HPP
