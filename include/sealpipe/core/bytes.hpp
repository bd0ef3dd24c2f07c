// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Byte views, owned buffers and fixed-size strong byte types (nonces, tags, digests).

#ifndef SEALPIPE_CORE_BYTES_HPP
#define SEALPIPE_CORE_BYTES_HPP

#include <sealpipe/error.hpp>

#include <algorithm>
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sealpipe {

using Byte = std::uint8_t;
/// A read-only view of bytes owned elsewhere.
using ByteView = std::span<const Byte>;
/// A writable view of bytes owned elsewhere.
using MutableByteView = std::span<Byte>;
/// An owned, growable byte buffer.
using Bytes = std::vector<Byte>;

/// Views the characters of a string as bytes.
inline ByteView as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const Byte*>(s.data()), s.size()};
}
/// Views bytes as characters.
inline std::string_view as_chars(ByteView b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
/// Copies a view into an owned buffer.
inline Bytes to_bytes(ByteView b) { return Bytes(b.begin(), b.end()); }

/// Appends `src` to `dst`.
inline void append(Bytes& dst, ByteView src) { dst.insert(dst.end(), src.begin(), src.end()); }

/** A fixed-size byte array with a role type, so that a nonce cannot be passed where an AEAD tag
    is expected. `Role` is an empty struct naming the role, e.g. `struct NonceRole;`. */
template <std::size_t N, class Role = void>
class FixedBytes {
public:
    static constexpr std::size_t size_bytes = N;

    constexpr FixedBytes() noexcept = default;
    constexpr explicit FixedBytes(const std::array<Byte, N>& a) noexcept : data_(a) {}

    /// Copies exactly N bytes from `b`; any other length is `errc::invalid_length`.
    [[nodiscard]] static result<FixedBytes> from(ByteView b, std::string_view what = "value") {
        if (b.size() != N) return length_error(what, N, b.size());
        FixedBytes out;
        std::copy(b.begin(), b.end(), out.data_.begin());
        return out;
    }

    constexpr Byte* data() noexcept { return data_.data(); }
    constexpr const Byte* data() const noexcept { return data_.data(); }
    static constexpr std::size_t size() noexcept { return N; }
    constexpr ByteView view() const noexcept { return {data_.data(), N}; }
    constexpr MutableByteView mutable_view() noexcept { return {data_.data(), N}; }
    constexpr operator ByteView() const noexcept { return view(); }
    constexpr Byte& operator[](std::size_t i) noexcept { return data_[i]; }
    constexpr const Byte& operator[](std::size_t i) const noexcept { return data_[i]; }
    constexpr auto begin() const noexcept { return data_.begin(); }
    constexpr auto end() const noexcept { return data_.end(); }
    constexpr auto begin() noexcept { return data_.begin(); }
    constexpr auto end() noexcept { return data_.end(); }
    constexpr const std::array<Byte, N>& array() const noexcept { return data_; }

    friend constexpr bool operator==(const FixedBytes&, const FixedBytes&) = default;
    friend constexpr auto operator<=>(const FixedBytes&, const FixedBytes&) = default;

private:
    std::array<Byte, N> data_{};
};

/// A SHA-256 or other 32-byte digest.
using Digest32 = FixedBytes<32, struct Digest32Role>;
/// A SHA-512 digest.
using Digest64 = FixedBytes<64, struct Digest64Role>;

} // namespace sealpipe

#endif // SEALPIPE_CORE_BYTES_HPP
