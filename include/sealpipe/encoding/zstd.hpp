// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The `Zstd<Level>` stage: Zstandard compression with bounded decompression (an extension
// of this project; needs the sealpipe::zstd component).

#ifndef SEALPIPE_ENCODING_ZSTD_HPP
#define SEALPIPE_ENCODING_ZSTD_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/encoding/description.hpp>
#include <sealpipe/error.hpp>

#include <zstd.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

namespace sealpipe::encoding {

/// `Zstd<dynamic_level>` takes its level from its `Config` at run time.
inline constexpr int dynamic_level = INT_MIN;
/// Zstandard's own default level.
inline constexpr int zstd_default_level = 3;

namespace detail {

struct ZstdCCtxDeleter {
    void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
    void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

struct ZstdFixedConfig {};
struct ZstdDynamicConfig {
    int level = zstd_default_level;
};

} // namespace detail

/** Zstandard compression (`{"zstdCompressing": {"level": N}}`). **An extension: Bonanza has no
    Zstandard encoder, so chains containing it are not Bonanza wire-compatible.** Its protobuf
    description is `BinaryEncoder` field 1000 (`ZstdCompressingBinaryEncoder { int32 level = 1 }`),
    which enters the additional data of a following encrypting stage.

    Output is one Zstandard frame that states its content size. Decoding reads that size and
    refuses it above the maximum *before* allocating, refuses frames without a size, with
    trailing bytes, or that decode to a different size, and decompresses in one pass into
    the exact output buffer (no window buffer is allocated). Output is deterministic for a
    given level and libzstd version; another libzstd version may compress differently (it
    always decompresses alike), which matters for deduplication only. */
template <int Level = zstd_default_level>
class Zstd {
    static_assert(Level == dynamic_level || (Level >= -(1 << 17) && Level <= 22),
                  "sealpipe: Zstd<Level> requires a Zstandard level in [-131072, 22] (or dynamic_level)");

public:
    static constexpr int level = Level;
    static constexpr std::string_view name = "zstd";
    static constexpr std::size_t decoding_parameters_bytes = 0;
    static constexpr bool compresses = true;
    static constexpr bool encrypts = false;
    static constexpr bool deterministic = true;
    static constexpr bool nonce_misuse_resistant = true;
    static constexpr ModeSet modes = ModeSet::all();

    /// Empty for a fixed level; `{int level}` for `Zstd<dynamic_level>`.
    using Config = std::conditional_t<Level == dynamic_level, detail::ZstdDynamicConfig, detail::ZstdFixedConfig>;

    Zstd() : Zstd(Config{}, StageContext{}) {}
    Zstd(const Config& c, const StageContext&) : level_(level_of(c)), cctx_(ZSTD_createCCtx()), dctx_(ZSTD_createDCtx()) {
        if (!cctx_ || !dctx_) throw std::bad_alloc();
    }

    /// `BinaryEncoder { zstd_compressing (1000) { level = 1 } }`.
    static void describe(const Config& c, Bytes& out) {
        codec::protobuf::Writer inner;
        inner.int32_field(fields::zstd_level, level_of(c));
        detail::append_encoder(out, fields::zstd_compressing, inner.bytes());
    }

    /// The level in use.
    [[nodiscard]] int compression_level() const noexcept { return level_; }

    /** Compresses `in` into one frame (empty input stays empty).
        @par Errors `errc::invalid_argument` if `parameters` is not empty; `errc::internal`
        if libzstd fails. */
    [[nodiscard]] result<Bytes> encode(ByteView in, MutableByteView parameters) {
        if (!parameters.empty()) return fail(errc::invalid_argument, "Unexpected decoding parameters");
        if (in.empty()) return Bytes{};
        Bytes out(ZSTD_compressBound(in.size()));
        auto n = compress_to(in, out);
        if (!n) return n.error();
        out.resize(*n);
        return out;
    }

    /** `encode` into the caller's `out` (at least `max_encoded_bytes(in.size())` bytes,
        `ZSTD_compressBound`, not overlapping `in`); returns the frame's length. The same bytes as `encode`.
        @par Errors those of `encode`; `errc::invalid_length` when `out` is too short;
        `errc::invalid_argument` when the buffers overlap. */
    [[nodiscard]] result<std::size_t> encode_into(ByteView in, MutableByteView out, MutableByteView parameters) {
        if (!parameters.empty()) return fail(errc::invalid_argument, "Unexpected decoding parameters");
        if (in.empty()) return std::size_t{0};
        // The capacity `encode` gives libzstd, so that the frame is the same.
        const std::size_t need = ZSTD_compressBound(in.size());
        if (out.size() < need) return detail::output_too_short("zstd", need, out.size());
        if (detail::overlaps(in, out)) return fail(errc::invalid_argument, "zstd: input and output overlap");
        return compress_to(in, out.first(need));
    }

    /** Decompresses one frame, bounded by `max_decoded_bytes` before anything is allocated.
        @par Errors `errc::malformed_input` for non-empty parameters, data that is not one
        complete frame stating its size, trailing bytes, an empty frame (empty data is
        encoded as nothing) or corrupt data; `errc::size_limit_exceeded` when the frame
        states more than `max_decoded_bytes`. */
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) {
        auto size = decoded_size(in, parameters, max_decoded_bytes);
        if (!size) return size.error();
        SecureBytes out(*size);
        if (auto r = decompress_to(in, out); !r) return r.error();
        return out;
    }

    /** The checks of `decode` that come before any output is written: returns the size the
        frame states (0 for empty data).
        @par Errors those of `decode`, but for corrupt data inside a well-formed frame. */
    [[nodiscard]] result<std::size_t> decoded_size(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) const {
        if (!parameters.empty()) return fail(errc::malformed_input, "Unexpected decoding parameters");
        if (in.empty()) return std::size_t{0};
        const unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
        if (size == ZSTD_CONTENTSIZE_ERROR) return fail(errc::malformed_input, "zstd: not a Zstandard frame");
        if (size == ZSTD_CONTENTSIZE_UNKNOWN)
            return fail(errc::malformed_input, "zstd: the frame does not state its content size");
        if (size > max_decoded_bytes)
            return fail(errc::size_limit_exceeded, "Decompressed data is " + std::to_string(size) +
                                                        " bytes in size, which exceeds the permitted maximum of " +
                                                        std::to_string(max_decoded_bytes) + " bytes");
        if (size == 0) return fail(errc::malformed_input, "zstd: an empty frame (empty data is encoded as nothing)");
        const std::size_t frame = ZSTD_findFrameCompressedSize(in.data(), in.size());
        if (ZSTD_isError(frame)) return fail(errc::malformed_input, std::string("zstd: ") + ZSTD_getErrorName(frame));
        if (frame != in.size())
            return fail(errc::malformed_input, "zstd: " + std::to_string(in.size() - frame) +
                                                    " unexpected bytes after the frame");
        return static_cast<std::size_t>(size);
    }

    /** `decode` into the caller's `out` (at least `decoded_size(in, parameters,
        max_decoded_bytes)` bytes, not overlapping `in`); returns the decoded length. The
        same bytes and errors as `decode`; on corrupt data what was written is wiped.
        @par Errors those of `decode`; `errc::invalid_length` when `out` is too short;
        `errc::invalid_argument` when the buffers overlap. */
    [[nodiscard]] result<std::size_t> decode_into(ByteView in, ByteView parameters, std::size_t max_decoded_bytes,
                                                  MutableByteView out) {
        auto size = decoded_size(in, parameters, max_decoded_bytes);
        if (!size) return size.error();
        if (out.size() < *size) return detail::output_too_short("zstd", *size, out.size());
        if (detail::overlaps(in, out)) return fail(errc::invalid_argument, "zstd: input and output overlap");
        if (auto r = decompress_to(in, out.first(*size)); !r) return r.error();
        return *size;
    }

    /// `ZSTD_COMPRESSBOUND`, saturating.
    [[nodiscard]] static constexpr std::size_t max_encoded_bytes(std::size_t n) noexcept {
        if (n == 0) return 0;
        const std::size_t margin = n < (std::size_t{128} << 10) ? ((std::size_t{128} << 10) - n) >> 11 : 0;
        return saturating_add(saturating_add(n, n >> 8), margin);
    }

    /// Decoding does not depend on the level: the name and the size limit.
    [[nodiscard]] Bytes decoding_key(std::size_t max_decoded_bytes) const {
        Bytes key = to_bytes(as_bytes(name));
        for (int i = 0; i < 8; ++i) key.push_back(static_cast<Byte>(std::uint64_t{max_decoded_bytes} >> (8 * i)));
        return key;
    }

private:
    result<std::size_t> compress_to(ByteView in, MutableByteView out) {
        const std::size_t n = ZSTD_compressCCtx(cctx_.get(), out.data(), out.size(), in.data(), in.size(), level_);
        if (ZSTD_isError(n)) return fail(errc::internal, std::string("zstd: ") + ZSTD_getErrorName(n));
        return n;
    }

    /// Decompresses a frame `decoded_size` accepted into `out` (exactly its stated size);
    /// on an error `out` is wiped.
    result<void> decompress_to(ByteView in, MutableByteView out) {
        if (out.empty()) return {};
        const std::size_t n = ZSTD_decompressDCtx(dctx_.get(), out.data(), out.size(), in.data(), in.size());
        if (ZSTD_isError(n)) {
            wipe(out);
            return fail(errc::malformed_input, std::string("zstd: ") + ZSTD_getErrorName(n));
        }
        if (n != out.size()) {
            wipe(out);
            return fail(errc::malformed_input, "zstd: the frame decoded to " + std::to_string(n) + " bytes, not " +
                                                    std::to_string(out.size()));
        }
        return {};
    }

    static constexpr int level_of([[maybe_unused]] const Config& c) noexcept {
        if constexpr (Level == dynamic_level) return c.level;
        else return Level;
    }

    int level_;
    std::unique_ptr<ZSTD_CCtx, detail::ZstdCCtxDeleter> cctx_;
    std::unique_ptr<ZSTD_DCtx, detail::ZstdDCtxDeleter> dctx_;
};

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_ZSTD_HPP
