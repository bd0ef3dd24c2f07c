// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The `SimpleLzw` stage: Bonanza's LZW-compressing binary encoder over codec::simple_lzw.

#ifndef SEALPIPE_ENCODING_SIMPLE_LZW_HPP
#define SEALPIPE_ENCODING_SIMPLE_LZW_HPP

#include <sealpipe/codec/simple_lzw.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/encoding/description.hpp>
#include <sealpipe/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sealpipe::encoding {

/** Simple LZW compression (`{"lzwCompressing": {}}`), byte for byte Bonanza's
    `simplelzw.MaybeCompress` / `Decompress`, including the "stored raw after 0x80" fallback
    for input that does not compress. No decoding parameters; usable in every mode. */
class SimpleLzw {
public:
    static constexpr std::string_view name = "simple-lzw";
    static constexpr std::size_t decoding_parameters_bytes = 0;
    static constexpr bool compresses = true;
    static constexpr bool encrypts = false;
    static constexpr bool deterministic = true;
    static constexpr bool nonce_misuse_resistant = true;
    static constexpr ModeSet modes = ModeSet::all();

    /// Nothing to configure (`google.protobuf.Empty`).
    struct Config {};

    SimpleLzw() = default;
    SimpleLzw(const Config&, const StageContext&) noexcept {}

    /// `BinaryEncoder { lzw_compressing {} }`: the bytes 0a 00.
    static void describe(const Config&, Bytes& out) {
        detail::append_encoder(out, fields::lzw_compressing, {});
    }

    /** Compresses `in`; output is never more than one byte longer than the input.
        @par Errors `errc::invalid_argument` if `parameters` is not empty. */
    [[nodiscard]] result<Bytes> encode(ByteView in, MutableByteView parameters) const {
        if (!parameters.empty()) return fail(errc::invalid_argument, "Unexpected decoding parameters");
        return codec::simple_lzw::compress(in);
    }

    /** Decompresses `in`, refusing before allocating when the header announces more than
        `max_decoded_bytes`; the work is bounded by that maximum, whatever the input's length.
        @par Errors `errc::malformed_input` for non-empty parameters ("Unexpected decoding
        parameters") or malformed data; `errc::size_limit_exceeded` (codec::simple_lzw). */
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) const {
        if (!parameters.empty()) return fail(errc::malformed_input, "Unexpected decoding parameters");
        auto out = codec::simple_lzw::decompress(in, max_decoded_bytes);
        if (!out) return out.error();
        SecureBytes secure(out->begin(), out->end());
        wipe(*out);
        return secure;
    }

    /** The longest data that decodes to at most `n` bytes
        (`codec::simple_lzw::max_compressed_size`). `encode` writes at most `n + 1`, but
        Bonanza decides by the size in the header, and so does this stage: a valid stream of
        uncompressed codes is longer than its output. */
    [[nodiscard]] static constexpr std::size_t max_encoded_bytes(std::size_t n) noexcept {
        return codec::simple_lzw::max_compressed_size(n);
    }

    /** The most bytes `encode` writes for `n` bytes: `n + 1` (the raw fallback), far less
        than `max_encoded_bytes`, the bound for what a decoder is handed. Pipelines size the
        caller's output buffer by it (`encode_into`). */
    [[nodiscard]] static constexpr std::size_t encoded_size_bound(std::size_t n) noexcept {
        return n == 0 ? 0 : saturating_add(n, 1);
    }

    /// Depends only on the size limit, as Bonanza's `lzwCompressingBinaryEncoderKey`.
    [[nodiscard]] Bytes decoding_key(std::size_t max_decoded_bytes) const {
        Bytes key = to_bytes(as_bytes(name));
        for (int i = 0; i < 8; ++i) key.push_back(static_cast<Byte>(std::uint64_t{max_decoded_bytes} >> (8 * i)));
        return key;
    }
};

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_SIMPLE_LZW_HPP
