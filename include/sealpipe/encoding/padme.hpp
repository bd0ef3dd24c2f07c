// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// PADMÉ padding (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs", Algorithm 1), as Bonanza's encrypting encoder applies it.

#ifndef SEALPIPE_ENCODING_PADME_HPP
#define SEALPIPE_ENCODING_PADME_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sealpipe::encoding {

/** The padded size of a payload of `n` bytes (doc/protocol.md, "PADMÉ"): with `e = bitlen(n) - 1` and
    `s = e - bitlen(e)`, `((n >> s) + 1) << s`. Always larger than `n` (there is room for
    the 0x80 marker), at most about 12% larger for large `n`, and it reveals only
    O(log log n) bits of `n`. `padme_size(0)` is 0: empty input is never padded.
    Defined for `n < 2^62`. */
[[nodiscard]] constexpr std::uint64_t padme_size(std::uint64_t n) noexcept {
    if (n == 0) return 0;
    const int e = std::bit_width(n) - 1;
    const int s = e - std::bit_width(static_cast<unsigned>(e));
    return ((n >> s) + 1) << s;
}

/** The smallest payload size whose padded size is at least `padded`; 0 for 0. PADMÉ is
    non-decreasing, so `padded` is a padded size iff `padme_size(padme_min_payload(padded))
    == padded`, and a payload of at most `m` bytes never pads to more than `padme_size(m)`. */
[[nodiscard]] constexpr std::uint64_t padme_min_payload(std::uint64_t padded) noexcept {
    if (padded <= 1) return padded == 0 ? 0 : 1;
    std::uint64_t lo = 1, hi = padded - 1;  // padme_size(padded - 1) >= padded
    while (lo < hi) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (padme_size(mid) >= padded) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/// True when some payload pads to exactly `padded` bytes.
[[nodiscard]] constexpr bool is_padme_size(std::uint64_t padded) noexcept {
    return padded != 0 && padme_size(padme_min_payload(padded)) == padded;
}

/** Writes `payload` padded into `out` (exactly `padme_size(payload.size())` bytes): the
    payload, 0x80, then zeros. `payload` may already sit at the start of `out`.
    @par Errors `errc::invalid_length` if `out` has the wrong size. */
[[nodiscard]] inline result<void> padme_pad(ByteView payload, MutableByteView out) {
    const std::uint64_t padded = padme_size(payload.size());
    if (payload.empty() || out.size() != padded)
        return length_error("padded output", static_cast<std::size_t>(padded), out.size());
    if (payload.data() != out.data()) std::copy(payload.begin(), payload.end(), out.begin());
    out[payload.size()] = 0x80;
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(payload.size()) + 1, out.end(), Byte{0});
    return {};
}

/** The payload length of a PADMÉ-padded buffer (Bonanza's `unpad`, strictly): scans back over
    zero bytes to the 0x80 marker, which must leave at least one payload byte, and checks
    that the padded size is exactly `padme_size` of the payload.
    @par Errors `errc::malformed_input` with Bonanza's messages: "Padding contains invalid
    byte with value N", "Encoded data is N bytes in size, while M bytes were expected for a
    payload of P bytes", "No data remains after removing padding". */
[[nodiscard]] inline result<std::size_t> padme_unpad(ByteView padded) {
    for (std::size_t l = padded.size(); l-- > 1;) {
        if (padded[l] == 0x00) continue;
        if (padded[l] != 0x80)
            return fail(errc::malformed_input,
                        "Padding contains invalid byte with value " + std::to_string(int{padded[l]}));
        if (const std::uint64_t expected = padme_size(l); expected != padded.size())
            return fail(errc::malformed_input, "Encoded data is " + std::to_string(padded.size()) +
                                                    " bytes in size, while " + std::to_string(expected) +
                                                    " bytes were expected for a payload of " + std::to_string(l) +
                                                    " bytes");
        return l;
    }
    return fail(errc::malformed_input, "No data remains after removing padding");
}

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_PADME_HPP
