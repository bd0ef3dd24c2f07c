// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Object contents: building an object from sorted children and a payload, and parsing full
// data against its reference (BasicContents owns the bytes, BasicContentsView borrows them).

#ifndef SEALPIPE_OBJECT_CONTENTS_HPP
#define SEALPIPE_OBJECT_CONTENTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/object/reference.hpp>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace sealpipe::object {

/** A random-access iterator over the outgoing references at the start of an object's data.
    Dereferencing yields a `BasicReference` by value (40 bytes, no allocation); the data must
    have been validated, which every `BasicContents` and `BasicContentsView` guarantees. */
template <class Format>
class ChildIterator {
public:
    using value_type = BasicReference<Format>;
    using reference = value_type;  // a prvalue: a C++20 random-access iterator, a C++17 input iterator
    using pointer = void;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::random_access_iterator_tag;
    using iterator_category = std::input_iterator_tag;

    constexpr ChildIterator() noexcept = default;
    constexpr explicit ChildIterator(const Byte* p) noexcept : p_(p) {}

    constexpr value_type operator*() const noexcept {
        typename value_type::raw_type raw;
        std::copy_n(p_, value_type::size_bytes, raw.begin());
        return detail::ReferenceAccess::unchecked<Format>(raw);
    }
    constexpr value_type operator[](difference_type n) const noexcept { return *(*this + n); }

    constexpr ChildIterator& operator++() noexcept { p_ += stride; return *this; }
    constexpr ChildIterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
    constexpr ChildIterator& operator--() noexcept { p_ -= stride; return *this; }
    constexpr ChildIterator operator--(int) noexcept { auto t = *this; --*this; return t; }
    constexpr ChildIterator& operator+=(difference_type n) noexcept { p_ += n * stride; return *this; }
    constexpr ChildIterator& operator-=(difference_type n) noexcept { p_ -= n * stride; return *this; }
    friend constexpr ChildIterator operator+(ChildIterator i, difference_type n) noexcept { return i += n; }
    friend constexpr ChildIterator operator+(difference_type n, ChildIterator i) noexcept { return i += n; }
    friend constexpr ChildIterator operator-(ChildIterator i, difference_type n) noexcept { return i -= n; }
    friend constexpr difference_type operator-(ChildIterator a, ChildIterator b) noexcept { return (a.p_ - b.p_) / stride; }
    friend constexpr bool operator==(ChildIterator, ChildIterator) noexcept = default;
    friend constexpr std::strong_ordering operator<=>(ChildIterator a, ChildIterator b) noexcept {
        return std::compare_three_way{}(a.p_, b.p_);
    }

private:
    static constexpr difference_type stride = static_cast<difference_type>(value_type::size_bytes);
    const Byte* p_ = nullptr;
};

/// The outgoing references of an object: a view over its data (no copies).
template <class Format>
class ChildrenView {
public:
    constexpr ChildrenView() noexcept = default;
    constexpr ChildrenView(const Byte* first, std::size_t count) noexcept : first_(first), count_(count) {}
    constexpr ChildIterator<Format> begin() const noexcept { return ChildIterator<Format>(first_); }
    constexpr ChildIterator<Format> end() const noexcept {
        return ChildIterator<Format>(first_ + count_ * Format::reference_bytes);
    }
    constexpr std::size_t size() const noexcept { return count_; }
    constexpr bool empty() const noexcept { return count_ == 0; }
    /// The `i`-th reference; `i < size()`.
    constexpr BasicReference<Format> operator[](std::size_t i) const noexcept {
        return begin()[static_cast<std::ptrdiff_t>(i)];
    }

private:
    const Byte* first_ = nullptr;
    std::size_t count_ = 0;
};

namespace detail {

/// Height, degree and parents size of an object, accumulated over its children in order
/// (Bonanza's `referenceStatsComputer`), with the ordering checks.
template <class Format>
class ChildStats {
public:
    /// `parsing`: the children come from stored data, so every fault is `object_corrupt`;
    /// otherwise (building) they are the caller's `unsorted_children` / `duplicate_children`.
    explicit ChildStats(bool parsing) noexcept : parsing_(parsing) {}

    result<void> add(const BasicReference<Format>& child) {
        if (degree_ > 0) {
            const auto order = last_ <=> child.array();
            if (order == 0)
                return fail(parsing_ ? errc::object_corrupt : errc::duplicate_children,
                            "Outgoing references at indices " + std::to_string(degree_ - 1) + " and " +
                                std::to_string(degree_) + " are equal");
            if (order > 0)
                return fail(parsing_ ? errc::object_corrupt : errc::unsorted_children,
                            "Outgoing references at indices " + std::to_string(degree_ - 1) + " and " +
                                std::to_string(degree_) + " are not properly sorted");
        }
        last_ = child.array();
        if (child.height() + 1 > height_) {
            if (child.height() + 1 > max_height<Format>)
                return fail(parsing_ ? errc::object_corrupt : errc::size_limit_exceeded,
                            "Outgoing reference at index " + std::to_string(degree_) + " has height " +
                                std::to_string(child.height()) + ", which is too high");
            height_ = child.height() + 1;
        }
        ++degree_;
        parents_ = std::max(parents_, child.max_parents_total_size_including_self());
        return {};
    }

    std::size_t height() const noexcept { return height_; }
    std::size_t degree() const noexcept { return degree_; }
    /// The exact maximum total parents size; the reference stores it rounded up.
    std::uint64_t parents_size() const noexcept { return parents_; }

private:
    typename BasicReference<Format>::raw_type last_{};
    std::size_t height_ = 0;
    std::size_t degree_ = 0;
    std::uint64_t parents_ = 0;
    bool parsing_;
};

template <class Format>
result<void> check_object_size(std::size_t degree, std::size_t payload_size) {
    const std::size_t max = Format::max_object_bytes;
    const std::size_t size = degree > max / Format::reference_bytes || payload_size > max
                                 ? max + 1
                                 : degree * Format::reference_bytes + payload_size;
    if (size < Format::min_object_bytes || size > max)
        return fail(errc::size_limit_exceeded,
                    size > max ? "object of " + std::to_string(degree) + " outgoing references and a payload of " +
                                     std::to_string(payload_size) + " bytes is larger than the maximum of " +
                                     std::to_string(max) + " bytes"
                               : "an object must hold at least " + std::to_string(Format::min_object_bytes) +
                                     " byte(s); this one is empty");
    return {};
}

/// The reference of an object with these (already checked) stats, hash and size.
template <class Format>
result<BasicReference<Format>> assemble_reference(const typename BasicReference<Format>::hash_type& hash,
                                                  std::size_t size, const ChildStats<Format>& stats) {
    auto r = BasicReference<Format>::from_fields(hash, size, stats.height(), stats.degree(), stats.parents_size());
    if (!r) return std::move(r.error()).context("computing a reference (internal)");
    return r;
}

/// Bonanza's `NewContentsFromFullData` checks, in its order (doc/protocol.md, "Objects and references").
template <class Format>
result<void> validate_contents(const BasicReference<Format>& ref, ByteView data) {
    if (data.size() != ref.size())
        return fail(errc::object_corrupt, "object data: expected " + std::to_string(ref.size()) + " bytes, got " +
                                               std::to_string(data.size()));
    const auto actual = Format::hash_type::digest(data);
    const auto expected = ref.hash();
    if (actual != expected)
        return fail(errc::object_corrupt, "Data has " + std::string(Format::hash_label) + " hash " +
                                               hex_encode(actual) + ", while " + hex_encode(expected) +
                                               " was expected");
    ChildStats<Format> stats(true);
    for (std::size_t i = 0; i < ref.degree(); ++i) {
        auto child = BasicReference<Format>::from_bytes(data.subspan(i * Format::reference_bytes, Format::reference_bytes));
        if (!child)
            return fail(errc::object_corrupt,
                        "Invalid reference at index " + std::to_string(i) + ": " + child.error().message());
        if (auto r = stats.add(*child); !r) return r;
    }
    if (stats.height() != ref.height())
        return fail(errc::object_corrupt, "Object has height " + std::to_string(stats.height()) + ", while " +
                                               std::to_string(ref.height()) + " was expected");
    const auto actual_parents = Float16::round_up(stats.parents_size());
    if (!actual_parents || *actual_parents != ref.parents_size_field())
        return fail(errc::object_corrupt,
                    "Object has a maximum total parents size of " +
                        std::to_string(actual_parents ? actual_parents->value() : stats.parents_size()) +
                        " bytes, while " + std::to_string(ref.max_parents_total_size()) + " bytes were expected");
    return {};
}

} // namespace detail

/** Validated object data borrowed from elsewhere: outgoing references, then payload. */
template <class Format>
class BasicContentsView {
public:
    using reference_type = BasicReference<Format>;

    /** Checks `data` against `ref`: length equals the size, the hash matches, each of the
        `ref.degree()` leading groups is a valid reference, they are strictly ascending, and the
        height and parents size recomputed from them equal the reference's (doc/protocol.md, "Objects and
        references").
        @par Errors `errc::object_corrupt` for any mismatch, with a message naming it.
        @par Security
        Nothing of `data` is exposed unless every check passed. The checks authenticate the
        data against the reference, not the reference itself: the degree is not recorded in
        the data, so a reference must come whole from a verified parent or the user. */
    [[nodiscard]] static result<BasicContentsView> from_data(const reference_type& ref, ByteView data) {
        if (auto v = detail::validate_contents<Format>(ref, data); !v) return v.error();
        return BasicContentsView(ref, data);
    }

    [[nodiscard]] const reference_type& reference() const noexcept { return ref_; }
    /// Outgoing references then payload.
    [[nodiscard]] ByteView data() const noexcept { return data_; }
    /// The outgoing references, in ascending order.
    [[nodiscard]] ChildrenView<Format> children() const noexcept { return {data_.data(), ref_.degree()}; }
    /// The payload: everything after the outgoing references.
    [[nodiscard]] ByteView payload() const noexcept { return data_.subspan(ref_.degree() * Format::reference_bytes); }

private:
    template <class>
    friend class BasicContents;
    BasicContentsView(const reference_type& ref, ByteView data) noexcept : ref_(ref), data_(data) {}

    reference_type ref_;
    ByteView data_;
};

/** An object that owns its data, always consistent with its reference: built from children
    and a payload (`build`), or parsed from stored data (`from_data`). */
template <class Format>
class BasicContents {
public:
    using reference_type = BasicReference<Format>;

    /** Builds the object `children ‖ payload` and computes its reference.
        @param children outgoing references, strictly ascending bytewise.
        @par Errors `errc::unsorted_children`, `errc::duplicate_children` (naming the
        indices); `errc::size_limit_exceeded` for an object outside [min_object_bytes,
        max_object_bytes] (in particular an empty one), or a child already at the maximum
        height. */
    [[nodiscard]] static result<BasicContents> build(std::span<const reference_type> children, ByteView payload) {
        if (auto s = detail::check_object_size<Format>(children.size(), payload.size()); !s) return s.error();
        detail::ChildStats<Format> stats(false);
        Bytes data;
        data.reserve(children.size() * Format::reference_bytes + payload.size());
        for (const auto& child : children) {
            if (auto r = stats.add(child); !r) return r.error();
            append(data, child.bytes());
        }
        append(data, payload);
        auto ref = detail::assemble_reference<Format>(Format::hash_type::digest(data), data.size(), stats);
        if (!ref) return ref.error();
        return BasicContents(*ref, std::move(data));
    }

    /** Takes ownership of stored `data` and checks it against `ref`, as
        `BasicContentsView::from_data`.
        @par Errors `errc::object_corrupt` for any mismatch. */
    [[nodiscard]] static result<BasicContents> from_data(const reference_type& ref, Bytes data) {
        if (auto v = detail::validate_contents<Format>(ref, data); !v) return v.error();
        return BasicContents(ref, std::move(data));
    }

    [[nodiscard]] const reference_type& reference() const noexcept { return ref_; }
    [[nodiscard]] ByteView data() const noexcept { return data_; }
    [[nodiscard]] ChildrenView<Format> children() const noexcept { return view().children(); }
    [[nodiscard]] ByteView payload() const noexcept { return view().payload(); }
    [[nodiscard]] BasicContentsView<Format> view() const noexcept { return {ref_, data_}; }
    /// Gives the data away; the object is left empty and must not be used but destroyed.
    [[nodiscard]] Bytes release() && noexcept { return std::move(data_); }

private:
    BasicContents(const reference_type& ref, Bytes data) noexcept : ref_(ref), data_(std::move(data)) {}

    reference_type ref_;
    Bytes data_;
};

/** The reference of the object `children ‖ payload` without building it (Bonanza
    `NewLocalReferenceFromData`): same checks and result as `BasicContents::build`. */
template <class Format = Sha256V1>
[[nodiscard]] result<BasicReference<Format>> reference_of(
    std::span<const BasicReference<std::type_identity_t<Format>>> children, ByteView payload) {
    if (auto s = detail::check_object_size<Format>(children.size(), payload.size()); !s) return s.error();
    detail::ChildStats<Format> stats(false);
    typename Format::hash_type h;
    for (const auto& child : children) {
        if (auto r = stats.add(child); !r) return r.error();
        h.update(child.bytes());
    }
    h.update(payload);
    return detail::assemble_reference<Format>(h.finish(), children.size() * Format::reference_bytes + payload.size(),
                                              stats);
}

/// SHA256_V1 object contents.
using Contents = BasicContents<Sha256V1>;
using ContentsView = BasicContentsView<Sha256V1>;

} // namespace sealpipe::object

#endif // SEALPIPE_OBJECT_CONTENTS_HPP
