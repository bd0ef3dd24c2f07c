// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// PEM blocks (RFC 7468): parsing several blocks, type-checked extraction, writing.

#ifndef SEALPIPE_CORE_PEM_HPP
#define SEALPIPE_CORE_PEM_HPP

#include <sealpipe/core/base64.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sealpipe {

/// One PEM block: its label (e.g. "PRIVATE KEY") and the DER bytes it carries.
struct PemBlock {
    std::string type;
    SecureBytes der;   // may hold a private key: wiped when released
};

namespace detail {
inline constexpr std::string_view pem_begin = "-----BEGIN ";
inline constexpr std::string_view pem_end = "-----END ";
inline constexpr std::string_view pem_dashes = "-----";

inline std::string_view trim_line(std::string_view l) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    return l;
}
} // namespace detail

/** Parses every PEM block in `text`, in order. Text between blocks is ignored (as OpenSSL
    and Go do); inside a block only base64 lines are allowed (RFC 7468 "strict" form, no
    RFC 1421 headers), and the END label must match the BEGIN label.
    @par Errors `errc::malformed_input` for an unterminated block, mismatched labels, bad
    base64 or no block at all. */
[[nodiscard]] inline result<std::vector<PemBlock>> pem_parse(std::string_view text) {
    std::vector<PemBlock> blocks;
    std::size_t pos = 0;
    std::size_t line_no = 0;
    auto next_line = [&](std::string_view& line) {
        if (pos >= text.size()) return false;
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        line = detail::trim_line(text.substr(pos, nl - pos));
        pos = nl + 1;
        ++line_no;
        return true;
    };
    std::string_view line;
    while (next_line(line)) {
        if (!line.starts_with(detail::pem_begin)) continue;
        if (!line.ends_with(detail::pem_dashes) || line.size() < detail::pem_begin.size() + detail::pem_dashes.size())
            return fail(errc::malformed_input, "PEM: malformed BEGIN line " + std::to_string(line_no));
        std::string type(line.substr(detail::pem_begin.size(),
                                     line.size() - detail::pem_begin.size() - detail::pem_dashes.size()));
        const std::string end_line = std::string(detail::pem_end) + type + std::string(detail::pem_dashes);
        std::string body;
        bool closed = false;
        while (next_line(line)) {
            if (line.starts_with(detail::pem_end)) {
                if (line != end_line)
                    return fail(errc::malformed_input, "PEM: END line " + std::to_string(line_no) +
                                                            " does not match BEGIN " + type);
                closed = true;
                break;
            }
            if (line.starts_with(detail::pem_begin))
                return fail(errc::malformed_input, "PEM: BEGIN inside block " + type);
            if (line.find(':') != std::string_view::npos)
                return fail(errc::malformed_input, "PEM: headers are not supported (line " + std::to_string(line_no) + ")");
            body += line;
        }
        if (!closed) return fail(errc::malformed_input, "PEM: block " + type + " is not terminated");
        auto der = base64_decode(body, Base64Alphabet::standard, Base64Padding::padded);
        wipe(MutableByteView(reinterpret_cast<Byte*>(body.data()), body.size()));
        if (!der) return std::move(der.error()).context("PEM block " + type);
        PemBlock b{std::move(type), SecureBytes(der->begin(), der->end())};
        wipe(MutableByteView(*der));
        blocks.push_back(std::move(b));
    }
    if (blocks.empty()) return fail(errc::malformed_input, "PEM: no block found");
    return blocks;
}

/** Parses exactly one block of type `type`.
    @par Errors `errc::malformed_input` when there is no block, more than one, or one of
    another type ("expected PEM block PUBLIC KEY, got PRIVATE KEY"). */
[[nodiscard]] inline result<PemBlock> pem_parse_one(std::string_view text, std::string_view type) {
    auto blocks = pem_parse(text);
    if (!blocks) return blocks.error();
    if (blocks->size() != 1)
        return fail(errc::malformed_input, "PEM: expected one block, got " + std::to_string(blocks->size()));
    if ((*blocks)[0].type != type)
        return fail(errc::malformed_input,
                    "expected PEM block " + std::string(type) + ", got " + (*blocks)[0].type);
    return std::move((*blocks)[0]);
}

/// Writes one block with 64-character lines and a trailing newline.
[[nodiscard]] inline std::string pem_write(std::string_view type, ByteView der) {
    const std::string b64 = base64_encode(der);
    std::string out;
    out.reserve(b64.size() + b64.size() / 64 + 2 * type.size() + 40);
    out.append(detail::pem_begin).append(type).append(detail::pem_dashes).push_back('\n');
    for (std::size_t i = 0; i < b64.size(); i += 64) out.append(b64, i, 64).push_back('\n');
    out.append(detail::pem_end).append(type).append(detail::pem_dashes).push_back('\n');
    return out;
}

} // namespace sealpipe

#endif // SEALPIPE_CORE_PEM_HPP
