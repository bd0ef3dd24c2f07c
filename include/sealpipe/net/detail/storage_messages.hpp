// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The messages of the storage services (doc/protocol.md, "Storage services") that both
// `StorageServer` and `storage::Remote` build or check: namespaces, Bonanza tag values and
// their signatures, and the tag records a server keeps.

#ifndef SEALPIPE_NET_DETAIL_STORAGE_MESSAGES_HPP
#define SEALPIPE_NET_DETAIL_STORAGE_MESSAGES_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/ed25519.hpp>
#include <sealpipe/net/detail/convert.hpp>
#include <sealpipe/object/reference.hpp>
#include <sealpipe/tags/store.hpp>

#include <bonanza/storage/object/object.pb.h>
#include <bonanza/storage/tag/tag.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sealpipe::net::detail {

/// A reference's 40 bytes as a protobuf `bytes` field.
inline std::string ref_string(const object::Reference& r) {
    return std::string(reinterpret_cast<const char*>(r.bytes().data()), r.bytes().size());
}

/// `Namespace { instance_name, SHA256_V1 }`.
inline ::bonanza::storage::object::Namespace storage_namespace(const std::string& instance) {
    ::bonanza::storage::object::Namespace ns;
    ns.set_instance_name(instance);
    ns.set_reference_format(::bonanza::storage::object::ReferenceFormat::SHA256_V1);
    return ns;
}

/// Where a server keeps a Bonanza tag: SHA-256("bonanza tag" ‖ u32be(len) ‖ instance ‖
/// u32be(len) ‖ public key ‖ hash).
inline tags::TagId bonanza_tag_id(const std::string& instance, const ::bonanza::storage::tag::Key& k) {
    Sha256 h;
    auto add = [&](std::string_view s, bool with_length) {
        if (with_length) {
            const auto n = static_cast<std::uint32_t>(s.size());
            const Byte len[4] = {Byte(n >> 24), Byte(n >> 16), Byte(n >> 8), Byte(n)};
            h.update(ByteView(len, 4));
        }
        h.update(as_bytes(s));
    };
    add("bonanza tag", false);
    add(instance, true);
    add(k.signature_public_key(), true);
    add(k.hash(), false);
    const auto d = h.finish();
    tags::TagId id;
    std::copy(d.view().begin(), d.view().end(), id.data());
    return id;
}

/// The latest second a tag timestamp may name (nanoseconds since the epoch then fit 64 bits).
inline constexpr std::int64_t max_tag_seconds = 18'000'000'000;

/// A timestamp as the tag record's version: nanoseconds since the epoch.
inline result<std::uint64_t> tag_version(const ::google::protobuf::Timestamp& t) {
    if (t.seconds() < 0 || t.seconds() > max_tag_seconds || t.nanos() < 0 || t.nanos() >= 1'000'000'000)
        return fail(errc::invalid_argument, "tag value: the timestamp is out of range");
    return static_cast<std::uint64_t>(t.seconds()) * 1'000'000'000u + static_cast<std::uint64_t>(t.nanos());
}

/// Whether `a` is earlier than `b`.
inline bool before(const ::google::protobuf::Timestamp& a, const ::google::protobuf::Timestamp& b) {
    return a.seconds() < b.seconds() || (a.seconds() == b.seconds() && a.nanos() < b.nanos());
}

/// The bytes a tag value's signature covers: the deterministic encoding of
/// `ValueSigningInput { SHA256_V1, key hash, value }`.
inline Bytes value_signing_input(const std::string& key_hash, const ::bonanza::storage::tag::Value& v) {
    ::bonanza::storage::tag::ValueSigningInput in;
    in.set_reference_format(::bonanza::storage::object::ReferenceFormat::SHA256_V1);
    in.set_key_hash(key_hash);
    *in.mutable_value() = v;
    return serialize(in);
}

/** Checks a signed tag value: a valid reference, a timestamp in range, and an Ed25519
    signature by `key` over `value_signing_input`. Returns the value's version.
    @par Errors `errc::invalid_argument`, `errc::signature_invalid`. */
inline result<std::uint64_t> check_signed_value(const keys::PublicKey<keys::Ed25519>& key, const std::string& key_hash,
                                                const ::bonanza::storage::tag::SignedValue& sv) {
    if (!sv.has_value() || !sv.value().has_timestamp())
        return fail(errc::invalid_argument, "tag value: a value with a timestamp is required");
    if (auto r = object::Reference::from_bytes(as_bytes(sv.value().reference())); !r)
        return fail(errc::invalid_argument, "tag value: " + r.error().message());
    auto version = tag_version(sv.value().timestamp());
    if (!version) return version.error();
    if (sv.signature().size() != 64) return fail(errc::invalid_argument, "tag value: the signature must be 64 bytes");
    if (auto v = keys::verify(key, value_signing_input(key_hash, sv.value()), as_bytes(sv.signature())); !v)
        return fail(errc::signature_invalid, "tag value: the signature does not verify");
    return version;
}

/// A stored tag: one flag byte (1: set with a valid lease) and the signed value's encoding.
inline Bytes tag_record(const ::bonanza::storage::tag::SignedValue& sv, bool complete) {
    Bytes out{Byte(complete ? 1 : 0)};
    const Bytes v = serialize(sv);
    out.insert(out.end(), v.begin(), v.end());
    return out;
}

inline bool parse_tag_record(ByteView record, ::bonanza::storage::tag::SignedValue& sv, bool& complete) {
    if (record.empty() || record[0] > 1) return false;
    complete = record[0] == 1;
    return sv.ParseFromArray(record.data() + 1, static_cast<int>(record.size() - 1));
}

} // namespace sealpipe::net::detail

#endif // SEALPIPE_NET_DETAIL_STORAGE_MESSAGES_HPP
