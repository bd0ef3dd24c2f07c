// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Forward varints (Bonanza pkg/encoding/varint): the length is announced by the leading zero
// bits of the first byte, the value is big-endian and sign-extended.

#ifndef SEALPIPE_CODEC_VARINT_HPP
#define SEALPIPE_CODEC_VARINT_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

namespace sealpipe::codec::varint {

/// The integer types a forward varint can be read as: every integer type of 8 to 64 bits but bool.
template <class T>
concept Integer = std::integral<T> && !std::same_as<std::remove_cv_t<T>, bool> && sizeof(T) <= 8;

/** The number of bytes `append_forward(out, value)` writes: 1 for 0..63 and -64..-1, 2 below
    2^13 in magnitude, and so on up to 10 (Bonanza `SizeBytes`). */
template <Integer T>
[[nodiscard]] constexpr std::size_t forward_size(T value) noexcept {
    std::uint64_t v;
    if constexpr (std::is_signed_v<T>) v = value < 0 ? ~static_cast<std::uint64_t>(static_cast<std::int64_t>(value))
                                                     : static_cast<std::uint64_t>(value);
    else v = value;
    return static_cast<std::size_t>(std::bit_width(v)) / 7 + 1;
}

/** Appends `value` as a forward varint (Bonanza `AppendForward`): n - 1 leading zero bits and a
    one bit announce n bytes, and the remaining 7n bits hold the two's-complement value,
    big-endian. Values needing more than 56 bits take a zero first byte and 9 or 10 bytes. */
template <Integer T>
void append_forward(Bytes& out, T value) {
    const std::size_t n = forward_size(value);
    const bool negative = std::is_signed_v<T> && value < 0;
    const auto u = static_cast<std::uint64_t>(static_cast<std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>>(value));
    auto put_be = [&out](std::uint64_t x, std::size_t bytes) {
        for (std::size_t i = bytes; i-- > 0;) out.push_back(static_cast<Byte>(x >> (8 * i)));
    };
    if (n <= 8) {
        const std::uint64_t marker = std::uint64_t{1} << (7 * n);
        put_be((u & (marker - 1)) | marker, n);
    } else if (n == 9) {
        out.push_back(0x00);
        put_be(u | (std::uint64_t{1} << 63), 8);  // 63 value bits under the marker bit
    } else {
        out.push_back(0x00);
        out.push_back(negative ? 0x7f : 0x40);
        put_be(u, 8);
    }
}

/// `value` as a forward varint.
template <Integer T>
[[nodiscard]] Bytes encode_forward(T value) {
    Bytes out;
    append_forward(out, value);
    return out;
}

/// A decoded value and the number of bytes it took.
template <class T>
struct Decoded {
    T value;
    std::size_t size;
};

namespace detail {

template <class T>
result<Decoded<T>> narrow(std::int64_t v, std::size_t size) {
    if (std::is_unsigned_v<T> && v < 0)
        return fail(errc::malformed_input,
                    "Value is " + std::to_string(v) + ", while a non-negative value was expected");
    const T converted = static_cast<T>(v);
    if (static_cast<std::int64_t>(converted) != v)
        return fail(errc::malformed_input, "Value is " + std::to_string(v) + ", which is out of range");
    return Decoded<T>{converted, size};
}

inline Error truncated(std::size_t expected, std::size_t got) {
    return fail(errc::malformed_input, "forward varint: expected " + std::to_string(expected) + " bytes, got " +
                                            std::to_string(got));
}

inline std::uint64_t read_be(ByteView in, std::size_t from, std::size_t to, std::uint64_t acc) noexcept {
    for (std::size_t i = from; i < to; ++i) acc = acc << 8 | in[i];
    return acc;
}

inline std::int64_t sign_extend(std::uint64_t raw, unsigned bits) noexcept {
    const unsigned shift = 64 - bits;
    return static_cast<std::int64_t>(raw << shift) >> shift;
}

} // namespace detail

/** Reads a forward varint from the start of `in` as a `T` (Bonanza `ConsumeForward` /
    `ReadForward`); bytes after it are left alone (`size` says how many were used).
    Non-minimal encodings are accepted, as Bonanza accepts them.
    @par Errors `errc::malformed_input` when `in` ends early, or the value does not fit `T`
    (with Bonanza's messages: "Value is -1, while a non-negative value was expected",
    "Value is 256, which is out of range", "Value is out of range for int64", "Value is out of
    range for int64 and uint64"). */
template <Integer T>
[[nodiscard]] result<Decoded<T>> decode_forward(ByteView in) {
    if (in.empty()) return detail::truncated(1, 0);
    const unsigned zeros = static_cast<unsigned>(std::countl_zero(in[0]));
    if (zeros < 8) {
        // 7 + 7 * zeros value bits: what follows the marker in the first byte, then `zeros` bytes.
        const std::size_t size = 1 + zeros;
        if (in.size() < size) return detail::truncated(size, in.size());
        const std::uint64_t raw = detail::read_be(in, 1, size, in[0] & (0x7fu >> zeros));
        return detail::narrow<T>(detail::sign_extend(raw, 7 + 7 * zeros), size);
    }
    if (in.size() < 2) return detail::truncated(2, in.size());
    if (std::countl_zero(in[1]) == 0) {
        // 9 bytes: 63 value bits after the marker bit of the second byte.
        if (in.size() < 9) return detail::truncated(9, in.size());
        return detail::narrow<T>(detail::sign_extend(detail::read_be(in, 1, 9, 0), 63), 9);
    }
    if (in[1] == 0x40 || in[1] == 0x7f) {
        // 10 bytes: a 64-bit value, 0x40 announcing a non-negative one and 0x7f a negative one.
        if (in.size() < 10) return detail::truncated(10, in.size());
        const std::uint64_t u = detail::read_be(in, 2, 10, 0);
        const bool positive = in[1] == 0x40;
        if constexpr (std::is_unsigned_v<T>) {
            if (positive) {
                if (u > std::numeric_limits<T>::max())
                    return fail(errc::malformed_input, "Value is " + std::to_string(u) + ", which is out of range");
                return Decoded<T>{static_cast<T>(u), 10};
            }
        } else {
            if (positive != (u >> 63 == 0)) return fail(errc::malformed_input, "Value is out of range for int64");
            return detail::narrow<T>(static_cast<std::int64_t>(u), 10);
        }
    }
    return fail(errc::malformed_input, "Value is out of range for int64 and uint64");
}

} // namespace sealpipe::codec::varint

#endif // SEALPIPE_CODEC_VARINT_HPP
