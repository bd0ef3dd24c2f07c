// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Simple LZW (Bonanza pkg/compress/simplelzw): deterministic LZW without a code limit or
// reset codes, behind a forward-varint size header, with a "stored raw" fallback.

#ifndef SEALPIPE_CODEC_SIMPLE_LZW_HPP
#define SEALPIPE_CODEC_SIMPLE_LZW_HPP

#include <sealpipe/codec/varint.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sealpipe::codec::simple_lzw {

/// Codes are at most this many bits wide (Bonanza's compressor limit: 2^28 codes).
inline constexpr unsigned max_code_bits = 28;

namespace detail {

/** The dictionary of the compressor: (prefix code, next byte) -> code. Its layout affects
    speed only; LZW's output is fixed by the input.

    LZW looks up one string per input byte, each lookup depending on the code the previous
    one found, so the cost is memory latency. Here the slot of a string is chosen by a hash
    of its bytes, not of its prefix code: the slots of every extension of the current phrase
    are known from the input alone and are fetched ahead, in parallel, while the chain of
    lookups resolves. Entries still hold the exact key `(prefix code << 8 | byte) << 28 |
    code` (0 is empty: codes start at 256), so a lookup is exact whatever the hash does.
    Open addressing with linear probing, never more than 3/4 full: sized once from a bound on
    its entries for inputs up to about 1 MiB, grown for larger ones (keeping each code's hash
    for that). Inputs of 64 KiB and more keep the 65,536 two-byte strings in a direct table. */
class Dictionary {
public:
    /// Inputs at least this long use the direct table of two-byte strings (256 KiB).
    static constexpr std::size_t pair_table_from = std::size_t{1} << 16;

    explicit Dictionary(std::size_t input_size)
        : pairs_(input_size >= pair_table_from ? std::make_unique<std::uint32_t[]>(std::size_t{1} << 16) : nullptr),
          capacity_(std::bit_ceil(
              std::max<std::size_t>(std::min(max_entries(input_size), max_initial_entries) / 3 * 4 + 4, 16))),
          slots_(capacity_),
          shift_(64 - static_cast<unsigned>(std::countr_zero(capacity_))),
          grow_at_(capacity_ / 4 * 3),
          may_grow_(max_entries(input_size) > grow_at_),
          // Varies the layout from run to run (the address of the table), so that no input
          // is slow every time; the output does not depend on it.
          seed_(reinterpret_cast<std::uintptr_t>(slots_.get()) * 0x9e3779b97f4a7c15ull) {}

    /** The most entries the hashed table can get: each phrase adds one code, and phrases do
        not overlap. Without the direct table, at most one per input byte. With it, only the
        codes of strings of three bytes or more are hashed, added by phrases of two bytes or
        more: at most n / 2. */
    static constexpr std::size_t max_entries(std::size_t input_size) noexcept {
        return input_size >= pair_table_from ? input_size / 2 + 1 : input_size;
    }
    /// Beyond this bound (inputs of more than 1 MiB), the table starts at 8 MiB and grows with
    /// what the input actually needs: compressible data needs far less than the bound.
    static constexpr std::size_t max_initial_entries = std::size_t{1} << 19;

    /// True when two-byte strings are in the direct table.
    bool has_pairs() const noexcept { return pairs_ != nullptr; }

    /// The hash of a one-byte string; `extend` appends a byte.
    std::uint64_t start(Byte b) const noexcept { return extend(seed_, b); }
    static std::uint64_t extend(std::uint64_t h, Byte b) noexcept { return (std::rotl(h, 5) ^ b) * 0x517cc1b727220a95ull; }

    /// Starts fetching the slot of the string of hash `h`.
    void prefetch(std::uint64_t h) const noexcept {
#if defined(__GNUC__)
        __builtin_prefetch(slots_.get() + (h >> shift_));
#else
        (void)h;
#endif
    }

    /// The code of a two-byte string `key` (first byte << 8 | second), or 0 when absent.
    std::uint32_t find_pair(std::uint64_t key) const noexcept { return pairs_[key]; }

    /// The code of `key` (prefix code << 8 | byte), whose string hashes to `h`, or 0.
    std::uint32_t find(std::uint64_t key, std::uint64_t h) const noexcept {
        for (std::size_t i = h >> shift_;; i = (i + 1) & (capacity_ - 1)) {
            const std::uint64_t e = slots_[i];
            if (e >> code_bits == key) return static_cast<std::uint32_t>(e & code_mask);
            if (e == 0) return 0;
        }
    }

    /// Adds the absent `key` (its string hashing to `h`) as `code`, the next code.
    void insert(std::uint64_t key, std::uint64_t h, std::uint32_t code) {
        // The bits a slot index uses, for every code (indexed by code - 256).
        if (may_grow_) hashes_.push_back(static_cast<std::uint32_t>(h >> 32));
        if (pairs_ && key < (std::uint64_t{1} << 16)) {
            pairs_[key] = code;
            return;
        }
        if (may_grow_ && count_++ == grow_at_) grow();
        place(key << code_bits | code, h);
    }

private:
    static constexpr unsigned code_bits = max_code_bits;
    static constexpr std::uint64_t code_mask = (std::uint64_t{1} << code_bits) - 1;

    /// Never full (grow_at_): an empty slot is always found.
    void place(std::uint64_t entry, std::uint64_t h) noexcept {
        for (std::size_t i = h >> shift_;; i = (i + 1) & (capacity_ - 1))
            if (slots_[i] == 0) {
                slots_[i] = entry;
                return;
            }
    }

    /** Zeroed slots. The table is touched all over, so large ones are mapped directly, on
        transparent huge pages where Linux offers them: a handful of page faults instead of
        one per 4 KiB, and fewer TLB misses in the lookups. */
    class Slots {
    public:
        explicit Slots(std::size_t n) : bytes_(n * sizeof(std::uint64_t)) {
#if defined(__linux__)
            constexpr std::size_t huge = std::size_t{2} << 20;
            if (bytes_ >= huge && bytes_ % huge == 0) {
                // Map one huge page more than needed and keep the aligned part.
                void* m = ::mmap(nullptr, bytes_ + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (m == MAP_FAILED) throw std::bad_alloc();
                const auto start = reinterpret_cast<std::uintptr_t>(m);
                const std::uintptr_t aligned = (start + huge - 1) & ~(std::uintptr_t{huge} - 1);
                if (aligned != start) ::munmap(m, aligned - start);
                if (const std::size_t tail = start + bytes_ + huge - (aligned + bytes_); tail != 0)
                    ::munmap(reinterpret_cast<void*>(aligned + bytes_), tail);
                p_ = reinterpret_cast<std::uint64_t*>(aligned);
                ::madvise(p_, bytes_, MADV_HUGEPAGE);   // advice only: plain pages work too
                mapped_ = true;
                return;
            }
#endif
            p_ = static_cast<std::uint64_t*>(std::calloc(n, sizeof(std::uint64_t)));
            if (p_ == nullptr) throw std::bad_alloc();
        }
        Slots(Slots&& o) noexcept
            : p_(std::exchange(o.p_, nullptr)), bytes_(o.bytes_), mapped_(std::exchange(o.mapped_, false)) {}
        Slots& operator=(Slots&& o) noexcept {
            Slots(std::move(o)).swap(*this);
            return *this;
        }
        ~Slots() {
#if defined(__linux__)
            if (mapped_) {
                ::munmap(p_, bytes_);
                return;
            }
#endif
            std::free(p_);
        }
        void swap(Slots& o) noexcept {
            std::swap(p_, o.p_);
            std::swap(bytes_, o.bytes_);
            std::swap(mapped_, o.mapped_);
        }
        std::uint64_t& operator[](std::size_t i) noexcept { return p_[i]; }
        std::uint64_t operator[](std::size_t i) const noexcept { return p_[i]; }
        const std::uint64_t* get() const noexcept { return p_; }

    private:
        std::uint64_t* p_ = nullptr;
        std::size_t bytes_;
        bool mapped_ = false;
    };

    void grow() {
        Slots old = std::exchange(slots_, Slots(capacity_ * 2));
        const std::size_t old_capacity = std::exchange(capacity_, capacity_ * 2);
        --shift_;
        grow_at_ = capacity_ / 4 * 3;
        for (std::size_t i = 0; i < old_capacity; ++i)
            if (const std::uint64_t e = old[i]; e != 0) place(e, std::uint64_t{hashes_[(e & code_mask) - 256]} << 32);
    }

    std::unique_ptr<std::uint32_t[]> pairs_;
    std::size_t capacity_;
    Slots slots_;
    unsigned shift_;
    std::size_t grow_at_;
    bool may_grow_;
    std::size_t count_ = 0;
    std::uint64_t seed_;
    std::vector<std::uint32_t> hashes_;   // the high half of the hash of code 256 + i, if may_grow_
};

inline void store_le64(Byte* p, std::uint64_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(p, &v, 8);
    } else {
        for (int i = 0; i < 8; ++i) p[i] = static_cast<Byte>(v >> (8 * i));
    }
}

inline std::uint64_t load_le64(const Byte* p) noexcept {
    std::uint64_t v = 0;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&v, p, 8);
    } else {
        for (int i = 0; i < 8; ++i) v |= std::uint64_t{p[i]} << (8 * i);
    }
    return v;
}

/// Packs codes least significant bit first, eight bytes at a time, into `out` (which it
/// resizes as it goes; `finish` trims it).
class BitWriter {
public:
    /// `expected`: about how many bytes will be written.
    BitWriter(Bytes& out, std::size_t expected) : out_(out), size_(out.size()) {
        out_.resize(std::max<std::size_t>(out_.size() + expected, 64));
    }
    /// Appends the `bits` low bits of `code` (at most 32 bits, no higher bits set).
    void put(std::uint64_t code, unsigned bits) {
        pending_ |= code << pending_bits_;
        pending_bits_ += bits;
        if (pending_bits_ >= 32) {
            if (size_ + 8 > out_.size()) out_.resize(out_.size() * 2);
            store_le64(out_.data() + size_, pending_);
            size_ += 4;
            pending_ >>= 32;
            pending_bits_ -= 32;
        }
    }
    /// Bytes written so far, counting complete pending bytes.
    std::size_t size() const noexcept { return size_ + pending_bits_ / 8; }
    /// Writes the last partial byte, zero-padded, and trims the output.
    void finish() {
        const std::size_t n = (pending_bits_ + 7) / 8;
        if (size_ + 8 > out_.size()) out_.resize(size_ + 8);
        store_le64(out_.data() + size_, pending_);
        out_.resize(size_ + n);
    }

private:
    Bytes& out_;
    std::size_t size_;
    std::uint64_t pending_ = 0;
    unsigned pending_bits_ = 0;
};

/// The loop of `compress_codes`, fetching the slots of strings `lookahead` bytes ahead
/// (none when 0).
template <std::size_t lookahead>
bool compress_codes(ByteView in, Bytes& out, std::size_t give_up_above, bool& too_many_codes) {
    Dictionary dictionary(in.size());
    const bool pairs = dictionary.has_pairs();
    BitWriter writer(out, in.size() / 2);
    std::uint32_t highest = 0xff;
    unsigned width = 8;
    std::uint32_t next_width_at = 0x100;   // the first code that needs width + 1 bits
    const Byte* const data = in.data();
    const std::size_t n = in.size();
    for (std::size_t s = 0;;) {
        // A phrase starts at s: its string is data[s, p) and `current` its code.
        std::uint64_t current = data[s];
        std::uint64_t h = dictionary.start(data[s]);
        std::uint64_t ahead_hash = h;
        std::size_t ahead = s + 1;
        for (const std::size_t stop = std::min(n, s + 1 + lookahead); ahead < stop; ++ahead) {
            ahead_hash = Dictionary::extend(ahead_hash, data[ahead]);
            if (!pairs || ahead > s + 1) dictionary.prefetch(ahead_hash);
        }
        std::size_t p = s + 1;
        std::uint64_t key = 0;
        for (; p < n; ++p) {
            if (lookahead > 0 && p + 2 * lookahead + 3 < n) {
                // Where a later phrase might start: its three- and four-byte strings (the
                // two-byte ones are in the direct table).
                const Byte* q = data + p + 2 * lookahead;
                const std::uint64_t h3 = Dictionary::extend(Dictionary::extend(dictionary.start(q[0]), q[1]), q[2]);
                dictionary.prefetch(h3);
                dictionary.prefetch(Dictionary::extend(h3, q[3]));
            }
            h = Dictionary::extend(h, data[p]);
            key = current << 8 | data[p];
            const std::uint32_t code = pairs && current < 256 ? dictionary.find_pair(key) : dictionary.find(key, h);
            if (code == 0) break;
            current = code;
            if (lookahead > 0 && ahead < n) {
                ahead_hash = Dictionary::extend(ahead_hash, data[ahead++]);
                dictionary.prefetch(ahead_hash);
            }
        }
        writer.put(current, width);
        if (p == n) break;
        if (writer.size() > give_up_above) return false;
        if (++highest == next_width_at) {
            if (width == max_code_bits) {
                too_many_codes = true;
                return false;
            }
            ++width;
            next_width_at <<= 1;
        }
        dictionary.insert(key, h, highest);
        s = p;
    }
    writer.finish();
    return out.size() <= give_up_above;
}

/** LZW of a non-empty input after its size header. Gives up (returns false) when the output
    grows beyond `give_up_above` bytes or the codes would exceed `max_code_bits`. Fetching
    ahead pays once the dictionary outgrows the caches. */
inline bool compress_codes(ByteView in, Bytes& out, std::size_t give_up_above, bool& too_many_codes) {
    return in.size() >= (std::size_t{1} << 16) ? compress_codes<4>(in, out, give_up_above, too_many_codes)
                                                : compress_codes<0>(in, out, give_up_above, too_many_codes);
}

/// Reads codes least significant bit first, eight bytes at a time where it can.
class BitReader {
public:
    explicit BitReader(ByteView in) noexcept : p_(in.data()), end_(in.data() + in.size()) {}

    /// The next `bits` bits (at most 56). Past the end of the input, zero bits.
    std::uint64_t take(unsigned bits) noexcept {
        if (count_ < bits) refill();
        const std::uint64_t v = pending_ & ((std::uint64_t{1} << bits) - 1);
        pending_ >>= bits;
        count_ -= bits;
        return v;
    }
    /// True when the bits not taken, up to the end of the input, are all zero.
    bool rest_is_zero() const noexcept { return pending_ == 0 && std::all_of(p_, end_, [](Byte b) { return b == 0; }); }

private:
    void refill() noexcept {
        if (end_ - p_ >= 8) {
            pending_ |= load_le64(p_) << count_;
            p_ += (63 - count_) / 8;
            count_ |= 56;
        } else {
            for (; count_ <= 56 && p_ != end_; count_ += 8) pending_ |= std::uint64_t{*p_++} << count_;
        }
    }
    const Byte* p_;
    const Byte* end_;
    std::uint64_t pending_ = 0;
    unsigned count_ = 0;
};

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
                    "Data requires more than " + std::to_string(std::uint64_t{1} << max_code_bits) + " codes to compress");
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

/** The longest input that `decompress(in, max_size)` can accept: a size header of up to 10
    bytes (non-minimal varints are accepted, as in Bonanza), then either the stored bytes or
    one code per output byte, the widest form codes can take (code k is
    `bit_width(255 + k)` bits wide). An input longer than this has more codes than any
    permitted output holds, or trailing bytes. Saturates at the largest `std::size_t`.

    `compress` never writes more than one byte beyond its input, but a stream that is valid
    for Bonanza may be far longer: 6 bytes of literals `8641428610296204` take 8. Bound what
    a decoder is handed by this, not by what this encoder writes. */
[[nodiscard]] constexpr std::size_t max_compressed_size(std::size_t max_size) noexcept {
    constexpr std::uint64_t max_header_bytes = 10;
    constexpr std::uint64_t first_highest = 255;
    // Sizes in the header are uint32 (Bonanza's Decompress); codes beyond that never decode.
    const std::uint64_t codes = std::min<std::uint64_t>(max_size, 0xffffffffu);
    std::uint64_t bits = 0;
    for (std::uint64_t k = 0; k < codes;) {
        const auto width = static_cast<unsigned>(std::bit_width(first_highest + k));
        // Codes k .. of this width: until 255 + k reaches 2^width.
        const std::uint64_t run = std::min(codes - k, (std::uint64_t{1} << width) - (first_highest + k));
        bits += run * width;
        k += run;
    }
    const std::uint64_t longest = max_header_bytes + std::max<std::uint64_t>(max_size, (bits + 7) / 8);
    return longest > std::numeric_limits<std::size_t>::max() || longest < max_size
               ? std::numeric_limits<std::size_t>::max()
               : static_cast<std::size_t>(longest);
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
    // codes * (codes + 1) / 2: never allocate more than that, whatever the header says.
    const std::uint64_t reachable = codes > (1u << 30) ? size : codes * (codes + 1) / 2;
    const auto bound = static_cast<std::size_t>(std::min(size, reachable));
    // Strings are copied 16 bytes at a time, which may write up to 15 bytes past their end.
    constexpr std::size_t slack = 16;
    Bytes out(bound + slack);
    Byte* const o = out.data();
    // offsets[k]: where the output of code k starts (the output of code 256 + j is that of
    // code j followed by the first byte of code j + 1's output). Every code produces at least
    // one byte, so at most `size` codes are processed before the output overflows its header:
    // a long input costs no more than the declared size allows.
    const auto max_offsets = static_cast<std::size_t>(std::min(codes, size)) + 1;
    const auto offsets = std::make_unique_for_overwrite<std::uint32_t[]>(max_offsets);

    detail::BitReader reader(in);
    std::size_t pos = 0;
    std::uint64_t k = 0;
    const auto overflow = [&] {
        return fail(errc::malformed_input, "Size of decompressed output exceeds size in header of " +
                                                std::to_string(size) + " bytes, with " + std::to_string(k) + " of " +
                                                std::to_string(codes) + " codes processed");
    };
    // Codes come in runs of one width: code k is bit_width(255 + k) bits wide.
    for (unsigned width = 8; k < codes; ++width) {
        const std::uint64_t run_end = std::min(codes, (std::uint64_t{1} << width) - first_highest);
        for (; k < run_end; ++k) {
            const std::uint64_t code = reader.take(width);
            offsets[k] = static_cast<std::uint32_t>(pos);
            if (code <= first_highest) {
                if (pos == size) return overflow();
                o[pos++] = static_cast<Byte>(code);
                continue;
            }
            const std::uint64_t index = code - first_highest;   // the code after the one it extends
            if (index > k) return fail(errc::malformed_input, "Input contains unexpected code " + std::to_string(code));
            const std::size_t first = offsets[index - 1], last = offsets[index];
            const std::size_t length = last - first + 1;
            if (length > size - pos) return overflow();
            // The string of code index - 1, then the first byte of the next code's output
            // (which, when index == k, is the first byte written here).
            for (std::size_t i = 0; i < length - 1; i += 16) {
                Byte chunk[16];
                std::memcpy(chunk, o + first + i, 16);
                std::memcpy(o + pos + i, chunk, 16);
            }
            o[pos + length - 1] = o[last];
            pos += length;
        }
    }
    if (!reader.rest_is_zero()) return fail(errc::malformed_input, "Trailing bits are not zero");
    if (pos != size)
        return fail(errc::malformed_input, "Size of decompressed output is " + std::to_string(pos) +
                                                " bytes, which differs from size in header of " +
                                                std::to_string(size) + " bytes");
    out.resize(pos);
    return out;
}

} // namespace sealpipe::codec::simple_lzw

#endif // SEALPIPE_CODEC_SIMPLE_LZW_HPP
