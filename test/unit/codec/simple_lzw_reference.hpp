// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The reference for the differential tests of sealpipe/codec/simple_lzw.hpp: the codec as it
// was before its dictionary and decoder were rewritten for speed (one hashed lookup of
// (prefix code, byte) per input byte; a decoder growing its output byte by byte), kept
// verbatim apart from its namespace. Its output is Bonanza's, checked against Bonanza's vectors
// in simple_lzw.cpp; the rewritten codec must agree with it byte for byte.

#ifndef SEALPIPE_TEST_UNIT_CODEC_SIMPLE_LZW_REFERENCE_HPP
#define SEALPIPE_TEST_UNIT_CODEC_SIMPLE_LZW_REFERENCE_HPP

#include <sealpipe/codec/varint.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sealpipe::test::simple_lzw_reference {

namespace varint = sealpipe::codec::varint;

inline constexpr unsigned reference_max_code_bits = 28;

namespace detail {

/** The dictionary of the compressor: (prefix code, next byte) -> code, open addressing with
    linear probing over 8-byte entries `key << 28 | code` (0 is empty: codes start at 256).
    Its layout affects speed only; LZW's output is fixed by the input. */
class Dictionary {
public:
    /// Room for about `expected` entries before the first growth (at most 2048).
    explicit Dictionary(std::size_t expected)
        : slots_(std::bit_ceil(std::clamp<std::size_t>(2 * expected, 16, std::size_t{1} << 12))),
          mask_(slots_.size() - 1),
          shift_(64 - static_cast<unsigned>(std::countr_zero(slots_.size()))) {}

    /// The code of `key` (prefix code << 8 | byte), or 0 when absent.
    std::uint32_t find(std::uint64_t key) const noexcept {
        for (std::size_t i = hash(key, shift_);; i = (i + 1) & mask_) {
            const std::uint64_t e = slots_[i];
            if (e == 0) return 0;
            if (e >> code_bits == key) return static_cast<std::uint32_t>(e & code_mask);
        }
    }

    void insert(std::uint64_t key, std::uint32_t code) {
        if ((count_ + 1) * 2 > slots_.size()) grow();
        place(key << code_bits | code);
        ++count_;
    }

private:
    static constexpr unsigned code_bits = reference_max_code_bits;
    static constexpr std::uint64_t code_mask = (std::uint64_t{1} << code_bits) - 1;

    static std::size_t hash(std::uint64_t key, unsigned shift) noexcept {
        // Fibonacci hashing: the top bits of key * 2^64 / phi.
        return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ull) >> shift);
    }
    void place(std::uint64_t entry) noexcept {
        for (std::size_t i = hash(entry >> code_bits, shift_);; i = (i + 1) & mask_)
            if (slots_[i] == 0) {
                slots_[i] = entry;
                return;
            }
    }
    void grow() {
        std::vector<std::uint64_t> old(slots_.size() * 2);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        --shift_;
        for (const std::uint64_t e : old)
            if (e != 0) place(e);
    }

    std::vector<std::uint64_t> slots_;
    std::size_t mask_;
    unsigned shift_;
    std::size_t count_ = 0;
};

/// Packs codes least significant bit first.
class BitWriter {
public:
    explicit BitWriter(Bytes& out) noexcept : out_(out) {}
    void put(std::uint64_t code, unsigned bits) {
        pending_ |= code << pending_bits_;
        pending_bits_ += bits;
        while (pending_bits_ >= 8) {
            out_.push_back(static_cast<Byte>(pending_));
            pending_ >>= 8;
            pending_bits_ -= 8;
        }
    }
    /// Writes the last partial byte, zero-padded.
    void flush() {
        if (pending_bits_ > 0) out_.push_back(static_cast<Byte>(pending_));
        pending_ = 0;
        pending_bits_ = 0;
    }

private:
    Bytes& out_;
    std::uint64_t pending_ = 0;
    unsigned pending_bits_ = 0;
};

/** LZW of a non-empty input after its size header. Gives up (returns false) when the output
    grows beyond `give_up_above` bytes or the codes would exceed `reference_max_code_bits`. */
inline bool compress_codes(ByteView in, Bytes& out, std::size_t give_up_above, bool& too_many_codes) {
    Dictionary dictionary(in.size());
    BitWriter writer(out);
    std::uint64_t highest = 0xff;
    unsigned width = 8;
    std::uint64_t current = in[0];
    for (std::size_t i = 1; i < in.size(); ++i) {
        const std::uint64_t key = current << 8 | in[i];
        if (const std::uint32_t code = dictionary.find(key); code != 0) {
            current = code;
            continue;
        }
        writer.put(current, width);
        if (out.size() > give_up_above) return false;
        ++highest;
        if (const unsigned w = static_cast<unsigned>(std::bit_width(highest)); w != width) {
            if (w > reference_max_code_bits) {
                too_many_codes = true;
                return false;
            }
            width = w;
        }
        dictionary.insert(key, static_cast<std::uint32_t>(highest));
        current = in[i];
    }
    writer.put(current, width);
    writer.flush();
    return out.size() <= give_up_above;
}

inline Error too_large(std::uint64_t size, std::size_t max_size) {
    return fail(errc::size_limit_exceeded, "Decompressed data is " + std::to_string(size) +
                                                " bytes in size, which exceeds the permitted maximum of " +
                                                std::to_string(max_size) + " bytes");
}

} // namespace detail

/** Bonanza's `Compress`: the forward varint of the input's size, then the LZW codes packed
    least significant bit first, each as wide as the highest code assigned so far (8 bits for
    the first; 256 literal codes are preassigned; no reset codes). Empty input gives empty
    output. Prefer `compress`, which is what Bonanza stores.
    @par Errors `errc::size_limit_exceeded` when the input needs more than 2^28 codes
    (inputs of about 256 MiB and more), as in Bonanza. */
[[nodiscard]] inline result<Bytes> compress_without_fallback(ByteView in) {
    Bytes out;
    if (in.empty()) return out;
    varint::append_forward(out, static_cast<std::uint64_t>(in.size()));
    bool too_many_codes = false;
    if (!detail::compress_codes(in, out, static_cast<std::size_t>(-1), too_many_codes))
        return fail(errc::size_limit_exceeded,
                    "Data requires more than " + std::to_string(std::uint64_t{1} << reference_max_code_bits) + " codes to compress");
    return out;
}

/** Bonanza's `MaybeCompress`, the form Bonanza stores: `compress_without_fallback`, unless that
    would be longer than the input, in which case the input is stored raw after the byte 0x80
    (a size header of 0). Empty input gives empty output. Deterministic, byte for byte equal
    to Bonanza's output. One deliberate difference: where Bonanza fails (more than 2^28 codes)
    this stores the input raw, which every decoder accepts. */
[[nodiscard]] inline Bytes compress(ByteView in) {
    Bytes out;
    if (in.empty()) return out;
    varint::append_forward(out, static_cast<std::uint64_t>(in.size()));
    bool too_many_codes = false;
    if (detail::compress_codes(in, out, in.size(), too_many_codes)) return out;
    out.assign(1, 0x80);
    append(out, in);
    return out;
}

/** Bonanza's `Decompress`: undoes `compress` and `compress_without_fallback`.
    Everything is checked before use: the size header against `max_size` before any output is
    allocated (and the allocation is also bounded by what the codes present could produce), the
    number of codes against the input's length, every code against the dictionary, the output
    size against the header, and the padding bits.
    @par Errors `errc::size_limit_exceeded` when the data would decode to more than `max_size`
    bytes; `errc::malformed_input` for an unreadable size header, unnecessary trailing bytes,
    an unknown code, output longer or shorter than its header, or non-zero trailing bits (with
    Bonanza's messages). */
[[nodiscard]] inline result<Bytes> decompress(ByteView in, std::size_t max_size) {
    if (in.empty()) return Bytes{};
    auto header = varint::decode_forward<std::uint32_t>(in);
    if (!header) return fail(errc::malformed_input, "Invalid leading decompressed size in header");
    const std::uint64_t size = header->value;
    in = in.subspan(header->size);
    if (size == 0) {  // stored raw
        if (in.size() > max_size) return detail::too_large(in.size(), max_size);
        return to_bytes(in);
    }
    if (size > max_size) return detail::too_large(size, max_size);

    // How many codes fit in the input: each run of codes of one width ends where the highest
    // code reaches the next power of two. Leftover bits must be padding within the last byte.
    constexpr std::uint64_t first_highest = 255;
    std::uint64_t remaining_bits = std::uint64_t{in.size()} * 8;
    std::uint64_t highest = first_highest;
    for (;;) {
        const unsigned width = static_cast<unsigned>(std::bit_width(highest));
        const std::uint64_t codes_to_pow2 = (std::uint64_t{1} << width) - highest;
        if (remaining_bits < width * codes_to_pow2) {
            const std::uint64_t n = remaining_bits / width;
            remaining_bits -= n * width;
            highest += n;
            break;
        }
        remaining_bits -= width * codes_to_pow2;
        highest = std::uint64_t{1} << width;
    }
    if (const std::uint64_t extra = remaining_bits / 8; extra > 0)
        return fail(errc::malformed_input,
                    "Compressed input contains " + std::to_string(extra) + " unnecessary trailing bytes");
    const std::uint64_t codes = highest - first_highest;

    // Code k produces at most k + 1 bytes, so the codes present produce at most
    // codes * (codes + 1) / 2: never reserve more than that, whatever the header says.
    const std::uint64_t reachable = codes > (1u << 30) ? size : codes * (codes + 1) / 2;
    Bytes out;
    out.reserve(static_cast<std::size_t>(std::min(size, reachable)));
    // offsets[k]: where the output of code k starts (the output of code 256 + j is that of
    // code j followed by the first byte of code j + 1's output). Every code produces at least
    // one byte, so at most `size` codes are processed before the output overflows its header:
    // a long input costs no more than the declared size allows.
    std::vector<std::uint32_t> offsets;
    offsets.reserve(static_cast<std::size_t>(std::min(codes, size)));

    std::uint64_t pending = 0;
    unsigned pending_bits = 0;
    std::size_t next_byte = 0;
    for (std::uint64_t k = 0; k < codes; ++k) {
        const unsigned width = static_cast<unsigned>(std::bit_width(first_highest + k));
        while (pending_bits < width) {
            pending |= std::uint64_t{in[next_byte++]} << pending_bits;
            pending_bits += 8;
        }
        const std::uint64_t code = pending & ((std::uint64_t{1} << width) - 1);
        pending >>= width;
        pending_bits -= width;

        const std::size_t start = out.size();
        offsets.push_back(static_cast<std::uint32_t>(start));
        std::size_t first = 0, last = 0, length = 1;
        if (code > first_highest) {
            const std::uint64_t index = code - first_highest;  // the code after the one it extends
            if (index >= offsets.size())
                return fail(errc::malformed_input, "Input contains unexpected code " + std::to_string(code));
            first = offsets[static_cast<std::size_t>(index - 1)];
            last = offsets[static_cast<std::size_t>(index)];
            length = last - first + 1;
        }
        if (start + length > size)
            return fail(errc::malformed_input, "Size of decompressed output exceeds size in header of " +
                                                    std::to_string(size) + " bytes, with " + std::to_string(k) +
                                                    " of " + std::to_string(codes) + " codes processed");
        if (code <= first_highest) {
            out.push_back(static_cast<Byte>(code));
        } else {
            out.resize(start + length);
            std::copy(out.begin() + static_cast<std::ptrdiff_t>(first), out.begin() + static_cast<std::ptrdiff_t>(last),
                      out.begin() + static_cast<std::ptrdiff_t>(start));
            out[start + length - 1] = out[last];
        }
    }
    if (pending != 0) return fail(errc::malformed_input, "Trailing bits are not zero");
    if (out.size() != size)
        return fail(errc::malformed_input, "Size of decompressed output is " + std::to_string(out.size()) +
                                                " bytes, which differs from size in header of " +
                                                std::to_string(size) + " bytes");
    return out;
}

} // namespace sealpipe::test::simple_lzw_reference

#endif // SEALPIPE_TEST_UNIT_CODEC_SIMPLE_LZW_REFERENCE_HPP
