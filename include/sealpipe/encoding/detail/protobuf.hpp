// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A tiny deterministic protobuf writer: just what the encoders' additional data needs
// (proto3, fields in number order, default scalar values omitted).

#ifndef SEALPIPE_ENCODING_DETAIL_PROTOBUF_HPP
#define SEALPIPE_ENCODING_DETAIL_PROTOBUF_HPP

#include <sealpipe/core/bytes.hpp>

#include <cstdint>

namespace sealpipe::encoding::detail::protobuf {

enum class WireType : std::uint8_t { varint = 0, length_delimited = 2 };

/// Base-128 varint, least significant group first.
inline void append_varint(Bytes& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<Byte>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<Byte>(v));
}

inline void append_key(Bytes& out, std::uint32_t field, WireType type) {
    append_varint(out, (std::uint64_t{field} << 3) | static_cast<std::uint64_t>(type));
}

/// An enum or int32 field; proto3 omits 0. Negative values take ten bytes (sign-extended).
inline void append_int32(Bytes& out, std::uint32_t field, std::int32_t value) {
    if (value == 0) return;
    append_key(out, field, WireType::varint);
    append_varint(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(value)));
}

/// A `bytes` field; proto3 omits an empty one.
inline void append_bytes(Bytes& out, std::uint32_t field, ByteView value) {
    if (value.empty()) return;
    append_key(out, field, WireType::length_delimited);
    append_varint(out, value.size());
    append(out, value);
}

/// A message field (always written when set, even if empty: a oneof member or a repeated
/// element).
inline void append_message(Bytes& out, std::uint32_t field, ByteView encoded_message) {
    append_key(out, field, WireType::length_delimited);
    append_varint(out, encoded_message.size());
    append(out, encoded_message);
}

/** Field numbers of `bonanza.model.encoding` (pkg/proto/model/encoding/encoding.proto), plus
    this project's extensions, numbered from 1000 so that they never collide with Bonanza's. */
namespace fields {
// EncryptingBinaryEncoderAdditionalDataInput
inline constexpr std::uint32_t encoding_mode = 1;        // EncodingMode (enum)
inline constexpr std::uint32_t additional_encoders = 2;  // repeated BinaryEncoder
// BinaryEncoder (oneof encoder)
inline constexpr std::uint32_t lzw_compressing = 1;      // google.protobuf.Empty
inline constexpr std::uint32_t encrypting = 2;           // EncryptingBinaryEncoder
inline constexpr std::uint32_t zstd_compressing = 1000;  // extension: ZstdCompressingBinaryEncoder
// EncryptingBinaryEncoder
inline constexpr std::uint32_t encryption_key = 1;       // bytes
inline constexpr std::uint32_t aead = 1000;              // extension: enum, AES_GCM_SIV = 0, AES_GCM = 1
// ZstdCompressingBinaryEncoder (extension)
inline constexpr std::uint32_t zstd_level = 1;           // int32
} // namespace fields

} // namespace sealpipe::encoding::detail::protobuf

#endif // SEALPIPE_ENCODING_DETAIL_PROTOBUF_HPP
