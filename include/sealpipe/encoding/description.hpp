// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// How an encoder stage describes its configuration: one `BinaryEncoder` of Bonanza's encoding
// protocol, bound into the additional data of every encrypting stage after it (doc/encoding.md,
// "Describing a stage"). The field numbers of the shipped stages, and the range left to others.

#ifndef SEALPIPE_ENCODING_DESCRIPTION_HPP
#define SEALPIPE_ENCODING_DESCRIPTION_HPP

#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>

#include <cstdint>

namespace sealpipe::encoding {

/** Field numbers of `bonanza.model.encoding` (doc/protocol.md, "Encoders"), plus this project's
    extensions, numbered from 1000 so that they never collide with Bonanza's. */
namespace fields {
// EncryptingBinaryEncoderAdditionalDataInput
inline constexpr std::uint32_t encoding_mode = 1;        ///< EncodingMode (enum)
inline constexpr std::uint32_t additional_encoders = 2;  ///< repeated BinaryEncoder
// BinaryEncoder (oneof encoder)
inline constexpr std::uint32_t lzw_compressing = 1;      ///< google.protobuf.Empty
inline constexpr std::uint32_t encrypting = 2;           ///< EncryptingBinaryEncoder
inline constexpr std::uint32_t zstd_compressing = 1000;  ///< extension: ZstdCompressingBinaryEncoder
// EncryptingBinaryEncoder
inline constexpr std::uint32_t encryption_key = 1;       ///< bytes
inline constexpr std::uint32_t aead = 1000;              ///< extension: enum, AES_GCM_SIV = 0, AES_GCM = 1
// ZstdCompressingBinaryEncoder (extension)
inline constexpr std::uint32_t zstd_level = 1;           ///< int32
} // namespace fields

/// The `BinaryEncoder` field numbers left to stages written outside this library: Bonanza uses
/// small numbers, this library 1000 to 1999; a third-party stage picks one number in this range
/// for itself (one per stage type, fixed forever: it is bound into the ciphertext).
inline constexpr std::uint32_t first_custom_encoder_field = 1'000'000;
inline constexpr std::uint32_t last_custom_encoder_field = 1'999'999;

namespace detail {
/// Appends the oneof member `field` of a `BinaryEncoder`, holding `message` (written even when empty).
inline void append_encoder(Bytes& out, std::uint32_t field, ByteView message) {
    codec::protobuf::Writer w;
    w.message_field(field, message);
    append(out, w.bytes());
    Bytes written = w.take();
    wipe(written);   // an encrypting stage's description holds its key
}
/// Appends one element of `repeated BinaryEncoder additional_encoders` (the stages before an
/// encrypting one): `encoder` is what a stage's `describe` wrote.
inline void append_additional_encoder(Bytes& out, ByteView encoder) {
    append_encoder(out, fields::additional_encoders, encoder);
}
} // namespace detail

/** What a third-party stage's `static void describe(const Config&, Bytes& out)` calls: appends a
    `BinaryEncoder` whose oneof member is `Field` (in [first_custom_encoder_field,
    last_custom_encoder_field]) and holds `config`, the stage's configuration encoded as a protobuf
    message (`codec::protobuf::Writer`; empty for a stage without one). Every encrypting stage after
    this one binds the description into its additional data, so two stages that encode differently
    must describe themselves differently.

    @code
    static void describe(const Config& c, Bytes& out) {
        codec::protobuf::Writer config;
        config.uint64_field(1, c.run_limit);
        encoding::describe_custom_stage<1'000'042>(out, config.bytes());
    }
    @endcode */
template <std::uint32_t Field>
void describe_custom_stage(Bytes& out, ByteView config) {
    static_assert(Field >= first_custom_encoder_field && Field <= last_custom_encoder_field,
                  "sealpipe: a custom stage describes itself with a BinaryEncoder field number in "
                  "[1000000, 1999999]; smaller numbers belong to Bonanza and to sealpipe (doc/encoding.md)");
    detail::append_encoder(out, Field, config);
}

} // namespace sealpipe::encoding

#endif // SEALPIPE_ENCODING_DESCRIPTION_HPP
