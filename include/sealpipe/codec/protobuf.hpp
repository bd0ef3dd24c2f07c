// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A small protobuf wire codec: a `Writer` producing protobuf's deterministic serialization
// and a strict `Reader` (wire types, truncation, lengths, over-long varints) for the few
// messages the protocol carries (doc/execution.md explains why not libprotobuf).

#ifndef SEALPIPE_CODEC_PROTOBUF_HPP
#define SEALPIPE_CODEC_PROTOBUF_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sealpipe::codec::protobuf {

/// The wire types of the protobuf encoding (groups, 3 and 4, are deprecated and refused).
enum class WireType : std::uint8_t {
    varint = 0,
    fixed64 = 1,
    length_delimited = 2,
    start_group = 3,
    end_group = 4,
    fixed32 = 5,
};

/// The largest field number protobuf allows (2^29 − 1).
inline constexpr std::uint32_t max_field_number = (std::uint32_t{1} << 29) - 1;
/// A varint is at most 10 bytes (64 bits, 7 per byte).
inline constexpr std::size_t max_varint_bytes = 10;

/** Builds a message in protobuf's deterministic serialization, provided the caller writes
    fields in field-number order (the messages in execution/messages.hpp do). The `*_field`
    functions omit proto3 default values (0, empty bytes), as protobuf does for singular
    scalar fields without presence; `message_field` and `bytes_always` always write. */
class Writer {
public:
    /// Appends a base-128 varint (least significant group first).
    void varint(std::uint64_t v) {
        while (v >= 0x80) {
            out_.push_back(static_cast<Byte>(v | 0x80));
            v >>= 7;
        }
        out_.push_back(static_cast<Byte>(v));
    }
    /// Appends a field key: (field number << 3) | wire type.
    void tag(std::uint32_t field, WireType type) {
        varint((std::uint64_t{field} << 3) | static_cast<std::uint64_t>(type));
    }
    /// A `bytes` (or `string`) field; omitted when empty (the proto3 default).
    void bytes_field(std::uint32_t field, ByteView b) {
        if (!b.empty()) bytes_always(field, b);
    }
    /// A length-delimited field written even when empty (repeated bytes, present messages).
    void bytes_always(std::uint32_t field, ByteView b) {
        tag(field, WireType::length_delimited);
        varint(b.size());
        append(out_, b);
    }
    /// An embedded message, already encoded; written even when empty (presence matters).
    void message_field(std::uint32_t field, ByteView encoded) { bytes_always(field, encoded); }
    /// An `int64` field; omitted when zero. Negative values take 10 bytes (two's complement).
    void int64_field(std::uint32_t field, std::int64_t v) {
        if (v == 0) return;
        tag(field, WireType::varint);
        varint(static_cast<std::uint64_t>(v));
    }
    /// An `int32` field; omitted when zero. Negative values are sign-extended to 64 bits
    /// (10 bytes), as protobuf encodes them.
    void int32_field(std::uint32_t field, std::int32_t v) { int64_field(field, v); }
    /// A `uint64` field; omitted when zero.
    void uint64_field(std::uint32_t field, std::uint64_t v) {
        if (v == 0) return;
        tag(field, WireType::varint);
        varint(v);
    }
    /// A `fixed64` field; omitted when zero. Little-endian.
    void fixed64_field(std::uint32_t field, std::uint64_t v) {
        if (v == 0) return;
        tag(field, WireType::fixed64);
        for (int i = 0; i < 8; ++i) out_.push_back(static_cast<Byte>(v >> (8 * i)));
    }
    /// A `fixed32` field; omitted when zero. Little-endian.
    void fixed32_field(std::uint32_t field, std::uint32_t v) {
        if (v == 0) return;
        tag(field, WireType::fixed32);
        for (int i = 0; i < 4; ++i) out_.push_back(static_cast<Byte>(v >> (8 * i)));
    }

    [[nodiscard]] const Bytes& bytes() const noexcept { return out_; }
    /// The encoded message; the writer is empty afterwards.
    [[nodiscard]] Bytes take() noexcept { return std::move(out_); }

private:
    Bytes out_;
};

/** One field read from the wire. For `varint`, `fixed64` and `fixed32` the value is in
    `number_value`; for `length_delimited` the payload is `bytes` (a view into the input). */
struct Field {
    std::uint32_t number = 0;
    WireType type = WireType::varint;
    std::uint64_t number_value = 0;
    ByteView bytes;
};

/** Reads fields one by one from a message, strictly: a field number of 0 or above 2^29 − 1,
    a group or unknown wire type, a varint longer than 10 bytes or beyond 64 bits, a length
    beyond the end of the input and a truncated field are `errc::malformed_input` with a
    message naming the message and the byte offset. Nothing is allocated. */
class Reader {
public:
    /// `message` names the message in errors ("bonanza.encryptedaction.Action").
    Reader(ByteView data, std::string_view message) noexcept : data_(data), message_(message) {}

    [[nodiscard]] bool done() const noexcept { return pos_ == data_.size(); }
    [[nodiscard]] std::size_t offset() const noexcept { return pos_; }

    /** The next field, or `std::nullopt` at the end of the input.
        @par Errors `errc::malformed_input`. */
    [[nodiscard]] result<std::optional<Field>> next() {
        if (done()) return std::optional<Field>();
        const std::size_t start = pos_;
        auto key = read_varint();
        if (!key) return key.error();
        if (*key > 0xffffffffu) return error_at(start, "field key " + std::to_string(*key) + " is out of range");
        const auto wire = static_cast<std::uint32_t>(*key & 7);
        const auto number = static_cast<std::uint32_t>(*key >> 3);
        if (number == 0) return error_at(start, "field number 0 is invalid");
        if (number > max_field_number) return error_at(start, "field number " + std::to_string(number) + " is out of range");
        Field f;
        f.number = number;
        switch (wire) {
        case 0: {
            f.type = WireType::varint;
            auto v = read_varint();
            if (!v) return v.error();
            f.number_value = *v;
            break;
        }
        case 1:
        case 5: {
            const std::size_t n = wire == 1 ? 8 : 4;
            f.type = wire == 1 ? WireType::fixed64 : WireType::fixed32;
            if (data_.size() - pos_ < n)
                return error_at(pos_, "field " + std::to_string(number) + ": truncated fixed" +
                                          std::to_string(n * 8) + " value (expected " + std::to_string(n) +
                                          " bytes, got " + std::to_string(data_.size() - pos_) + ")");
            for (std::size_t i = 0; i < n; ++i) f.number_value |= std::uint64_t{data_[pos_ + i]} << (8 * i);
            pos_ += n;
            break;
        }
        case 2: {
            f.type = WireType::length_delimited;
            const std::size_t at = pos_;
            auto len = read_varint();
            if (!len) return len.error();
            // Compare before converting or adding: a huge length must not wrap around.
            if (*len > data_.size() - pos_)
                return error_at(at, "field " + std::to_string(number) + ": length " + std::to_string(*len) +
                                        " exceeds the " + std::to_string(data_.size() - pos_) +
                                        " bytes left in the message");
            f.bytes = data_.subspan(pos_, static_cast<std::size_t>(*len));
            pos_ += static_cast<std::size_t>(*len);
            break;
        }
        case 3:
        case 4:
            return error_at(start, "field " + std::to_string(number) + ": groups (wire type " +
                                       std::to_string(wire) + ") are not supported");
        default:
            return error_at(start, "field " + std::to_string(number) + ": invalid wire type " + std::to_string(wire));
        }
        return std::optional<Field>(f);
    }

    /// The error for a field that has the wrong wire type for its declaration.
    [[nodiscard]] Error wrong_wire_type(const Field& f, WireType expected, std::string_view name) const {
        return error_at(pos_, std::string(name) + " (field " + std::to_string(f.number) + ") has wire type " +
                                  std::to_string(static_cast<int>(f.type)) + ", expected " +
                                  std::to_string(static_cast<int>(expected)));
    }
    /// The error for a singular field that appears twice.
    [[nodiscard]] Error duplicate(const Field& f, std::string_view name) const {
        return error_at(pos_, std::string(name) + " (field " + std::to_string(f.number) +
                                  ") appears more than once");
    }
    /// The error for a field this message does not declare.
    [[nodiscard]] Error unknown(const Field& f) const {
        return error_at(pos_, "unknown field " + std::to_string(f.number) + " (wire type " +
                                  std::to_string(static_cast<int>(f.type)) + ")");
    }
    /// Any other error about the field just read.
    [[nodiscard]] Error invalid(std::string_view what) const { return error_at(pos_, std::string(what)); }

private:
    result<std::uint64_t> read_varint() {
        const std::size_t start = pos_;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < max_varint_bytes; ++i) {
            if (pos_ == data_.size()) return error_at(start, "truncated varint");
            const Byte b = data_[pos_++];
            // The 10th byte is the last and holds bit 63 only.
            if (i == max_varint_bytes - 1) {
                if (b & 0x80) return error_at(start, "varint longer than 10 bytes");
                if (b > 1) return error_at(start, "varint overflows 64 bits");
            }
            v |= std::uint64_t{b & 0x7fu} << (7 * i);
            if ((b & 0x80) == 0) return v;
        }
        return v;   // not reached: the 10th byte ends the loop above
    }

    Error error_at(std::size_t at, const std::string& what) const {
        return fail(errc::malformed_input, std::string(message_) + " at byte " + std::to_string(at) + ": " + what);
    }

    ByteView data_;
    std::size_t pos_ = 0;
    std::string_view message_;
};

} // namespace sealpipe::codec::protobuf

#endif // SEALPIPE_CODEC_PROTOBUF_HPP
