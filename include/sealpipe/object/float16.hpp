// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Float16: Bonanza's unsigned 16-bit floating-point number (not IEEE binary16), used for the
// maximum total parents size of a reference, with its round-up encoder.

#ifndef SEALPIPE_OBJECT_FLOAT16_HPP
#define SEALPIPE_OBJECT_FLOAT16_HPP

#include <bit>
#include <compare>
#include <cstdint>
#include <optional>

namespace sealpipe::object {

/** An unsigned 16-bit float as Bonanza defines it (pkg/encoding/float16): no sign bit, a
    5-bit exponent and an 11-bit significand. Values 0..2047 are subnormal and stand for
    themselves; otherwise the value is `((bits & 0x7ff) | 0x800) << (exponent - 1)`. There is
    no infinity and no NaN: every one of the 65,536 bit patterns is a number, the largest being
    `Float16::max_value` (0x3ffc0000000).

    Encoding rounds up, so that a stored bound is never below the true one: for every
    representable `v`, `round_up(v)->value() >= v`, and it is the smallest such Float16. */
class Float16 {
public:
    static constexpr int significand_bits = 11;
    static constexpr int exponent_bits = 16 - significand_bits;
    static constexpr std::uint16_t significand_mask = (1u << significand_bits) - 1;
    /// The largest value a Float16 can hold: 0xfff << 30.
    static constexpr std::uint64_t max_value =
        std::uint64_t{significand_mask | (1u << significand_bits)} << ((1u << exponent_bits) - 2);

    /// Zero.
    constexpr Float16() noexcept = default;

    /// The Float16 with these 16 bits (every pattern is valid).
    [[nodiscard]] static constexpr Float16 from_bits(std::uint16_t bits) noexcept { return Float16(bits); }

    /** The smallest Float16 whose value is at least `v`; `std::nullopt` when `v` exceeds
        `max_value` (Bonanza's `FromUint64RoundUp` returning false). */
    [[nodiscard]] static constexpr std::optional<Float16> round_up(std::uint64_t v) noexcept {
        if (v <= significand_mask) return Float16(static_cast<std::uint16_t>(v));  // subnormal
        if (v > max_value) return std::nullopt;
        // Round up to a multiple of 2^e, e = bitlen(v) - 12; rounding may carry into a new
        // bit, so the exponent is taken again afterwards (doc/protocol.md, "Float16").
        v += ~(~std::uint64_t{0} << exponent_of(v));
        const int e = exponent_of(v);
        return Float16(static_cast<std::uint16_t>(((e + 1) << significand_bits) |
                                                  ((v >> e) & significand_mask)));
    }

    /// The 16 stored bits.
    [[nodiscard]] constexpr std::uint16_t bits() const noexcept { return bits_; }

    /// The integer this Float16 stands for.
    [[nodiscard]] constexpr std::uint64_t value() const noexcept {
        const unsigned exponent = bits_ >> significand_bits;
        if (exponent == 0) return bits_;  // subnormal
        return (static_cast<std::uint64_t>(bits_ & significand_mask) | (std::uint64_t{1} << significand_bits))
               << (exponent - 1);
    }

    /// Ordering of the bit patterns is the ordering of the values (the format is monotonic).
    friend constexpr bool operator==(Float16, Float16) noexcept = default;
    friend constexpr auto operator<=>(Float16, Float16) noexcept = default;

private:
    constexpr explicit Float16(std::uint16_t bits) noexcept : bits_(bits) {}

    static constexpr int exponent_of(std::uint64_t v) noexcept {
        return std::bit_width(v) - significand_bits - 1;
    }

    std::uint16_t bits_ = 0;
};

static_assert(Float16::max_value == 0x3ffc0000000, "sealpipe: Float16::max_value is Bonanza's");
static_assert(Float16::from_bits(0xffff).value() == Float16::max_value);
static_assert(Float16::round_up(4097)->value() == 4098);

} // namespace sealpipe::object

#endif // SEALPIPE_OBJECT_FLOAT16_HPP
