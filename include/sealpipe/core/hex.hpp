// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Hexadecimal: lowercase on output, either case on input, strict (even length, digits only).

#ifndef SEALPIPE_CORE_HEX_HPP
#define SEALPIPE_CORE_HEX_HPP

#include <sealpipe/core/bytes.hpp>

#include <string>
#include <string_view>

namespace sealpipe {

/// Lowercase hex of `b`.
[[nodiscard]] inline std::string hex_encode(ByteView b) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(b.size() * 2, '\0');
    for (std::size_t i = 0; i < b.size(); ++i) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 0x0f];
    }
    return out;
}

namespace detail {
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace detail

/** Decodes hex in either case.
    @par Errors `errc::malformed_input` for an odd length or a character that is not a hex
    digit (no white space, no `0x` prefix). */
[[nodiscard]] inline result<Bytes> hex_decode(std::string_view s) {
    if (s.size() % 2 != 0)
        return fail(errc::malformed_input, "hex: odd number of digits (" + std::to_string(s.size()) + ")");
    Bytes out(s.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = detail::hex_value(s[2 * i]);
        const int lo = detail::hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return fail(errc::malformed_input,
                        "hex: invalid character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
        out[i] = static_cast<Byte>(hi << 4 | lo);
    }
    return out;
}

} // namespace sealpipe

#endif // SEALPIPE_CORE_HEX_HPP
