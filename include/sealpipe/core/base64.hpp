// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Base64 (RFC 4648 §4) and base64url (§5), padded or not, with strict decoding.
//
// Written here rather than taken from Crypto++: Crypto++'s decoders skip characters outside
// the alphabet and accept non-canonical trailing bits, and signatures and JWKs need a
// decoder that accepts exactly one spelling of each value.

#ifndef SEALPIPE_CORE_BASE64_HPP
#define SEALPIPE_CORE_BASE64_HPP

#include <sealpipe/core/bytes.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace sealpipe {

enum class Base64Alphabet { standard, url };
enum class Base64Padding {
    padded,    ///< output ends with '=' to a multiple of 4; input must be padded
    unpadded,  ///< no '=' on output; input must not be padded
    optional,  ///< input only: either form (never a partial padding)
};

namespace detail {
inline constexpr std::string_view base64_standard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view base64_url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<signed char, 256> base64_table(std::string_view alphabet) {
    std::array<signed char, 256> t{};
    for (auto& v : t) v = -1;
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return t;
}
inline constexpr auto base64_standard_table = base64_table(base64_standard);
inline constexpr auto base64_url_table = base64_table(base64_url);
} // namespace detail

namespace detail {
/// The length of the encoding of `n` bytes.
constexpr std::size_t base64_encoded_size(std::size_t n, bool padded) noexcept {
    return padded ? (n + 2) / 3 * 4 : n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

/// For each 12-bit value, its two base64 characters.
constexpr std::array<std::array<char, 2>, 4096> base64_pairs(std::string_view alphabet) {
    std::array<std::array<char, 2>, 4096> t{};
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = {alphabet[i >> 6], alphabet[i & 63]};
    return t;
}
inline constexpr auto base64_standard_pairs = base64_pairs(base64_standard);
inline constexpr auto base64_url_pairs = base64_pairs(base64_url);

/// Writes the encoding of `b` at `out` (exactly `base64_encoded_size(b.size(), padded)`
/// characters) and returns the end of what it wrote. `alphabet` is `base64_standard` or
/// `base64_url`.
inline char* base64_encode_to(char* out, ByteView b, std::string_view alphabet, bool padded) noexcept {
    const char* const a = alphabet.data();
    const auto& pairs = alphabet == base64_url ? base64_url_pairs : base64_standard_pairs;
    const Byte* p = b.data();
    const Byte* const end = p + b.size() / 3 * 3;
    for (; p != end; p += 3) {
        const unsigned v = unsigned(p[0]) << 16 | unsigned(p[1]) << 8 | p[2];
        const auto& hi = pairs[v >> 12];
        const auto& lo = pairs[v & 0xFFF];
        out[0] = hi[0];
        out[1] = hi[1];
        out[2] = lo[0];
        out[3] = lo[1];
        out += 4;
    }
    const std::size_t rest = b.size() % 3;
    if (rest != 0) {
        const unsigned v = unsigned(p[0]) << 16 | (rest == 2 ? unsigned(p[1]) << 8 : 0u);
        *out++ = a[v >> 18];
        *out++ = a[(v >> 12) & 63];
        if (rest == 2) *out++ = a[(v >> 6) & 63];
        if (padded) {
            *out++ = '=';
            if (rest == 1) *out++ = '=';
        }
    }
    return out;
}

/// Appends the encoding of `b` to `out`.
inline void base64_append(std::string& out, ByteView b, std::string_view alphabet, bool padded) {
    const std::size_t at = out.size();
    out.resize(at + base64_encoded_size(b.size(), padded));
    base64_encode_to(out.data() + at, b, alphabet, padded);
}
} // namespace detail

/// Encodes `b`. Padding::optional encodes as padded.
[[nodiscard]] inline std::string base64_encode(ByteView b, Base64Alphabet alphabet = Base64Alphabet::standard,
                                               Base64Padding padding = Base64Padding::padded) {
    std::string out;
    detail::base64_append(out, b, alphabet == Base64Alphabet::url ? detail::base64_url : detail::base64_standard,
                          padding != Base64Padding::unpadded);
    return out;
}

/// Base64url; `padded` by default because sqooler's JWKs and JWSDicts use padding.
[[nodiscard]] inline std::string base64url_encode(ByteView b, Base64Padding padding = Base64Padding::padded) {
    return base64_encode(b, Base64Alphabet::url, padding);
}

/** Decodes strictly: only the alphabet's characters, no white space, padding as `padding`
    demands, and the unused low bits of the last character must be zero (so that every
    value has exactly one encoding).
    @par Errors `errc::malformed_input`, with the offset of the first offending character. */
[[nodiscard]] inline result<Bytes> base64_decode(std::string_view s,
                                                 Base64Alphabet alphabet = Base64Alphabet::standard,
                                                 Base64Padding padding = Base64Padding::optional) {
    const auto& table = alphabet == Base64Alphabet::url ? detail::base64_url_table : detail::base64_standard_table;
    const char* name = alphabet == Base64Alphabet::url ? "base64url" : "base64";
    std::size_t pad = 0;
    while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
    const std::string_view body = s.substr(0, s.size() - pad);
    if (pad != 0) {
        if (padding == Base64Padding::unpadded)
            return fail(errc::malformed_input, std::string(name) + ": padding is not allowed here");
        if (s.size() % 4 != 0)
            return fail(errc::malformed_input, std::string(name) + ": padded length is not a multiple of 4");
    } else if (padding == Base64Padding::padded && s.size() % 4 != 0) {
        return fail(errc::malformed_input, std::string(name) + ": missing padding");
    }
    if (body.size() % 4 == 1)
        return fail(errc::malformed_input, std::string(name) + ": impossible length " + std::to_string(s.size()));
    if (pad != 0 && (body.size() + pad) % 4 != 0)
        return fail(errc::malformed_input, std::string(name) + ": wrong amount of padding");

    Bytes out;
    out.reserve(body.size() / 4 * 3 + 2);
    unsigned acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const signed char v = table[static_cast<unsigned char>(body[i])];
        if (v < 0)
            return fail(errc::malformed_input,
                        std::string(name) + ": invalid character at offset " + std::to_string(i));
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<Byte>(acc >> bits));
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return fail(errc::malformed_input, std::string(name) + ": non-zero trailing bits");
    return out;
}

/// Base64url, padded or not (sqooler pads, RFC 7515 does not).
[[nodiscard]] inline result<Bytes> base64url_decode(std::string_view s,
                                                    Base64Padding padding = Base64Padding::optional) {
    return base64_decode(s, Base64Alphabet::url, padding);
}

} // namespace sealpipe

#endif // SEALPIPE_CORE_BASE64_HPP
