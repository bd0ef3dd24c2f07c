// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support for DAGs: an in-memory object store and small deterministic codecs.

#ifndef SEALPIPE_TEST_SUPPORT_DAG_HPP
#define SEALPIPE_TEST_SUPPORT_DAG_HPP

#include <sealpipe/core/hash.hpp>
#include <sealpipe/dag.hpp>

#include <map>

namespace sealpipe::test {

/// A map of reference to data that counts its traffic.
class MapStore {
public:
    result<void> put(const object::Reference& ref, ByteView data) {
        ++puts;
        objects[ref] = to_bytes(data);
        return {};
    }
    result<Bytes> get(const object::Reference& ref) {
        ++gets;
        auto it = objects.find(ref);
        if (it == objects.end()) return fail(errc::object_not_found, ref.to_string());
        return it->second;
    }
    std::map<object::Reference, Bytes> objects;
    std::size_t puts = 0, gets = 0;
};

/// Stores payloads as they are; no decoding parameters.
struct IdentityCodec {
    result<encoding::Encoded<>> encode(ByteView in) const { return encoding::Encoded<>{to_bytes(in), {}}; }
    result<SecureBytes> decode(ByteView in, ByteView, std::size_t max) const {
        if (in.size() > max) return fail(errc::size_limit_exceeded, "too large");
        return SecureBytes(in.begin(), in.end());
    }
    static constexpr std::size_t decoding_parameters_bytes = 0;
};

/** A deterministic stand-in for an encrypting pipeline: the parameters are a 16-byte digest of
    the plaintext (like a SIV tag), the stored bytes the plaintext XORed with a keystream
    derived from the parameters; decoding checks the digest. */
struct SivLikeCodec {
    static Bytes keystream(ByteView params, std::size_t n) {
        Bytes ks;
        for (std::uint32_t block = 0; ks.size() < n; ++block) {
            Sha256 h;
            h.update(as_bytes("key")).update(params).update(ByteView(reinterpret_cast<const Byte*>(&block), 4));
            append(ks, h.finish());
        }
        ks.resize(n);
        return ks;
    }
    result<encoding::Encoded<>> encode(ByteView in) const {
        const auto d = sha256(in);
        Bytes params(d.begin(), d.begin() + 16);
        Bytes out = to_bytes(in);
        const Bytes ks = keystream(params, out.size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] ^= ks[i];
        return encoding::Encoded<>{std::move(out), std::move(params)};
    }
    result<SecureBytes> decode(ByteView in, ByteView params, std::size_t max) const {
        if (in.size() > max) return fail(errc::size_limit_exceeded, "too large");
        SecureBytes out(in.begin(), in.end());
        const Bytes ks = keystream(params, out.size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i] ^= ks[i];
        const auto d = sha256(ByteView(out.data(), out.size()));
        if (!constant_time_equal(ByteView(d).first(16), params)) {
            wipe(MutableByteView(out.data(), out.size()));
            return fail(errc::authentication_failed);
        }
        return out;
    }
    static constexpr std::size_t decoding_parameters_bytes = 16;
};

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_SUPPORT_DAG_HPP
