// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AES-GCM-SIV (RFC 8452): the policy `AesGcmSiv<KeyBits>` and its keyed `Context`.

#ifndef SEALPIPE_AEAD_AES_GCM_SIV_HPP
#define SEALPIPE_AEAD_AES_GCM_SIV_HPP

#include <sealpipe/aead/concepts.hpp>
#include <sealpipe/aead/detail/dispatch.hpp>
#include <sealpipe/aead/implementation.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sealpipe::aead {

struct AesGcmSivKeyRole;

/** The AES-GCM-SIV policy (RFC 8452) with a 128- or 256-bit key: sizes, traits, strong
    types, and the keyed `Context` that seals and opens.

    AES-GCM-SIV is nonce-misuse-resistant: if a nonce repeats, the only thing revealed is
    whether two (plaintext, associated data) pairs were identical. That is what makes the
    protocol's deterministic mode (the all-zero nonce) safe with it. */
template <std::size_t KeyBits>
class AesGcmSiv {
    static_assert(KeyBits == 128 || KeyBits == 256,
                  "sealpipe: AesGcmSiv<KeyBits> requires KeyBits to be 128 or 256 (RFC 8452)");

public:
    static constexpr std::size_t key_bits = KeyBits;
    static constexpr std::size_t key_bytes = KeyBits / 8;
    static constexpr std::size_t nonce_bytes = 12;
    static constexpr std::size_t tag_bytes = 16;
    /// RFC 8452 §6: a repeated nonce reveals only the equality of identical messages.
    static constexpr bool nonce_misuse_resistant = true;
    /// RFC 8452 §6: P_MAX and A_MAX, 2^36 bytes each.
    static constexpr std::uint64_t max_plaintext_bytes = std::uint64_t{1} << 36;
    static constexpr std::uint64_t max_aad_bytes = std::uint64_t{1} << 36;
    static constexpr std::string_view name = KeyBits == 128 ? "AES-128-GCM-SIV" : "AES-256-GCM-SIV";

    /// The key: a wiping buffer of `key_bytes`.
    using Key = FixedSecret<key_bytes, AesGcmSivKeyRole>;
    using Nonce = NonceBytes<nonce_bytes>;
    using Tag = TagBytes<tag_bytes>;

    class Context;
};

/** A key ready to seal and open: the expanded key-generating key, plus the keys derived for
    the most recently used nonce (message-authentication key with its POLYVAL powers and the
    expanded encryption key). Sealing many messages under one key and one nonce, as the
    deterministic mode does, costs no key derivation after the first.

    Move-only; everything is wiped on destruction. A Context is not safe to use from two
    threads at once (the nonce cache changes); give each thread its own.

    Argument order everywhere: nonce, input, associated data, output. */
template <std::size_t KeyBits>
class AesGcmSiv<KeyBits>::Context {
public:
    using Key = AesGcmSiv::Key;
    using Nonce = AesGcmSiv::Nonce;
    using Tag = AesGcmSiv::Tag;

    /// Expands `key` for the fastest implementation this CPU supports.
    explicit Context(const Key& key) : Context(key, default_implementation()) {}

    /** Expands `key` for a chosen implementation (tests and benchmarks compare them).
        @par Errors `errc::unsupported` when this CPU cannot run `impl`. */
    [[nodiscard]] static result<Context> with_implementation(const Key& key, Implementation impl) {
        if (!is_supported(impl))
            return fail(errc::unsupported,
                        "aead: implementation " + std::string(to_string(impl)) + " is not supported by this CPU");
        return Context(key, impl);
    }

    Context(Context&&) noexcept = default;
    Context& operator=(Context&&) noexcept = default;
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
    ~Context() = default;

    /// The code path in use.
    [[nodiscard]] Implementation implementation() const noexcept { return impl_; }

    /** Encrypts and authenticates `plaintext` and `aad` into `out` = ciphertext || tag.
        `out` may start at `plaintext.data()` (in place); other overlaps are refused.
        @par Errors `errc::invalid_length` unless `out.size() == plaintext.size() + 16`;
        `errc::size_limit_exceeded` beyond 2^36 bytes of plaintext or of `aad`;
        `errc::invalid_argument` for partly overlapping buffers.
        @par Security A repeated (key, nonce) pair reveals whether two messages (with their
        associated data) are identical, nothing more; use distinct nonces unless that is
        acceptable, as in the deterministic mode (doc/aead.md). */
    [[nodiscard]] result<void> seal(const Nonce& nonce, ByteView plaintext, ByteView aad, MutableByteView out) {
        if (out.size() != plaintext.size() + tag_bytes && plaintext.size() <= max_plaintext_bytes)
            return length_error("aead seal output", plaintext.size() + tag_bytes, out.size());
        auto tag = seal_detached(nonce, plaintext, aad, out.first(std::min(out.size(), plaintext.size())));
        if (!tag) return tag.error();
        std::copy(tag->begin(), tag->end(), out.begin() + static_cast<std::ptrdiff_t>(plaintext.size()));
        return {};
    }

    /** `seal` into a new buffer: ciphertext || tag.
        @par Errors `errc::size_limit_exceeded` as for `seal`. */
    [[nodiscard]] result<Bytes> seal(const Nonce& nonce, ByteView plaintext, ByteView aad = {}) {
        if (auto r = check_sizes(plaintext.size(), aad.size()); !r) return r.error();
        Bytes out(plaintext.size() + tag_bytes);
        if (auto r = seal(nonce, plaintext, aad, out); !r) return r.error();
        return out;
    }

    /** Encrypts `plaintext` into `ciphertext` (same size; may be the same buffer) and returns
        the tag separately (the deterministic object encoder stores it apart).
        @par Errors as for `seal`, with `ciphertext.size() == plaintext.size()`. */
    [[nodiscard]] result<Tag> seal_detached(const Nonce& nonce, ByteView plaintext, ByteView aad,
                                            MutableByteView ciphertext) {
        if (auto r = check_sizes(plaintext.size(), aad.size()); !r) return r.error();
        if (ciphertext.size() != plaintext.size())
            return length_error("aead ciphertext output", plaintext.size(), ciphertext.size());
        if (overlaps(plaintext, ciphertext))
            return fail(errc::invalid_argument, "aead seal: input and output overlap without being the same buffer");
        if (!state_) return moved_from();
        derive(nonce);
        Tag tag = compute_tag(nonce, aad, plaintext.data(), plaintext.size());
        Byte counter[block_bytes];
        std::copy(tag.begin(), tag.end(), counter);
        counter[15] |= 0x80;   // RFC 8452 §4: the initial counter block is the tag with the top bit set
        ops_->ctr32(state_->enc, counter, plaintext.data(), ciphertext.data(), plaintext.size());
        return tag;
    }

    /** Encrypts `data` in place and returns the tag.
        @par Errors `errc::size_limit_exceeded` as for `seal`. */
    [[nodiscard]] result<Tag> seal_in_place(const Nonce& nonce, MutableByteView data, ByteView aad) {
        return seal_detached(nonce, data, aad, data);
    }

    /** Verifies and decrypts `sealed` = ciphertext || tag into `out` (`sealed.size() - 16`
        bytes; may start at `sealed.data()`).
        @par Errors `errc::authentication_failed` when the tag does not match: `out` is then
        wiped (all zero). `errc::malformed_input` when `sealed` is shorter than a tag;
        `errc::invalid_length` for a wrong `out` size; `errc::size_limit_exceeded`;
        `errc::invalid_argument` for partly overlapping buffers.
        @par Security The tag is compared in constant time, and no plaintext is left in `out`
        unless it is authentic. */
    [[nodiscard]] result<void> open(const Nonce& nonce, ByteView sealed, ByteView aad, MutableByteView out) {
        auto split = detail::split_tag<tag_bytes>(sealed);
        if (!split) return split.error();
        return open_detached(nonce, split->first, split->second, aad, out);
    }

    /** `open` into a new buffer.
        @par Errors as for `open`. */
    [[nodiscard]] result<Bytes> open(const Nonce& nonce, ByteView sealed, ByteView aad = {}) {
        if (sealed.size() < tag_bytes)
            return fail(errc::malformed_input, "aead open: expected at least 16 bytes (the tag), got " +
                                                    std::to_string(sealed.size()));
        if (auto r = check_sizes(sealed.size() - tag_bytes, aad.size()); !r) return r.error();
        Bytes out(sealed.size() - tag_bytes);
        if (auto r = open(nonce, sealed, aad, out); !r) return r.error();
        return out;
    }

    /** Verifies `tag` and decrypts `ciphertext` into `plaintext` (same size; may be the same
        buffer).
        @par Errors `errc::authentication_failed` (then `plaintext` is wiped), or the size
        errors of `open`.
        @par Security as for `open`. */
    [[nodiscard]] result<void> open_detached(const Nonce& nonce, ByteView ciphertext, const Tag& tag, ByteView aad,
                                             MutableByteView plaintext) {
        if (auto r = check_sizes(ciphertext.size(), aad.size()); !r) return r.error();
        if (plaintext.size() != ciphertext.size())
            return length_error("aead plaintext output", ciphertext.size(), plaintext.size());
        if (overlaps(ciphertext, plaintext))
            return fail(errc::invalid_argument, "aead open: input and output overlap without being the same buffer");
        if (!state_) return moved_from();
        derive(nonce);
        const Tag received = tag;   // `tag` may live in the output buffer's neighbourhood
        Byte counter[block_bytes];
        std::copy(received.begin(), received.end(), counter);
        counter[15] |= 0x80;
        Tag expected;
        if (fits_small(aad.size(), ciphertext.size())) {
            ops_->ctr32(state_->enc, counter, ciphertext.data(), plaintext.data(), ciphertext.size());
            expected = compute_tag(nonce, aad, plaintext.data(), plaintext.size());
        } else {
            Byte s[block_bytes] = {};
            absorb(s, aad.data(), aad.size());
            const Byte* in = ciphertext.data();
            Byte* out = plaintext.data();
            std::size_t left = ciphertext.size();
            // The path's fused pass takes whole batches: AES and POLYVAL in one loop.
            if (ops_->decrypt_and_hash != nullptr) {
                detail::prepare_hash_key(*ops_, state_->hash, detail::unlimited_blocks);
                const std::size_t done =
                    ops_->decrypt_and_hash(state_->enc, state_->hash, s, counter, in, out, left);
                in += done;
                out += done;
                left -= done;
            }
            // The rest (or all, on the portable path): decrypt in cache-sized chunks and absorb
            // each chunk's plaintext while it is hot.
            while (left != 0) {
                const std::size_t chunk = std::min(left, open_chunk_bytes);
                ops_->ctr32(state_->enc, counter, in, out, chunk);
                absorb(s, out, chunk);
                detail::counter_add(counter, chunk / block_bytes);
                in += chunk;
                out += chunk;
                left -= chunk;
            }
            expected = finish_tag(s, nonce, aad.size(), ciphertext.size());
        }
        if (!constant_time_equal(expected, received)) {
            wipe(plaintext);
            return fail(errc::authentication_failed, "aead open: authentication failed");
        }
        return {};
    }

    /** Verifies `tag` and decrypts `data` in place.
        @par Errors as for `open_detached`; on `errc::authentication_failed` `data` is wiped. */
    [[nodiscard]] result<void> open_in_place(const Nonce& nonce, MutableByteView data, const Tag& tag, ByteView aad) {
        return open_detached(nonce, data, tag, aad, data);
    }

private:
    static constexpr unsigned rounds = KeyBits == 128 ? 10 : 14;
    static constexpr std::size_t block_bytes = detail::block_bytes;
    static constexpr std::size_t open_chunk_bytes = 8192;

    struct State {
        detail::AesKey kgk;    // the key-generating key (RFC 8452 §4), expanded
        detail::AesKey enc;    // the message-encryption key for `nonce`
        detail::HashKey hash;  // the message-authentication key for `nonce` and its powers
        Nonce nonce;
        bool have_nonce = false;
        State() = default;
        State(const State&) = delete;
        State& operator=(const State&) = delete;
        ~State() {
            kgk.clear();
            enc.clear();
            hash.clear();
        }
    };

    Context(const Key& key, Implementation impl)
        : impl_(impl), ops_(&detail::ops_for<rounds>(impl)), state_(std::make_unique<State>()) {
        ops_->set_key(state_->kgk, key.reveal(hazmat::secret_access()).data(), key_bytes);
    }

    static result<void> check_sizes(std::size_t text, std::size_t aad) {
        if (text > max_plaintext_bytes)
            return fail(errc::size_limit_exceeded, "aead: plaintext of " + std::to_string(text) +
                                                        " bytes exceeds the RFC 8452 limit of 2^36 bytes");
        if (aad > max_aad_bytes)
            return fail(errc::size_limit_exceeded, "aead: associated data of " + std::to_string(aad) +
                                                        " bytes exceeds the RFC 8452 limit of 2^36 bytes");
        return {};
    }

    static bool overlaps(ByteView in, MutableByteView out) noexcept {
        if (in.empty() || out.empty()) return false;
        const auto a = reinterpret_cast<std::uintptr_t>(in.data());
        const auto b = reinterpret_cast<std::uintptr_t>(out.data());
        return a != b && a < b + out.size() && b < a + in.size();
    }

    static Error moved_from() { return fail(errc::invalid_argument, "aead: the context was moved from"); }

    /// RFC 8452 §4: derive the message-authentication and message-encryption keys for `nonce`
    /// (cached: a repeated nonce, such as the deterministic mode's zero nonce, costs nothing).
    void derive(const Nonce& nonce) {
        State& st = *state_;
        if (st.have_nonce && st.nonce == nonce) return;
        st.have_nonce = false;
        if (ops_->derive_keys != nullptr) {
            ops_->derive_keys(st.kgk, nonce.data(), st.enc, st.hash);
            st.nonce = nonce;
            st.have_nonce = true;
            return;
        }
        constexpr std::size_t count = KeyBits == 128 ? 4 : 6;
        Byte in[count * block_bytes] = {};
        Byte out[count * block_bytes];
        for (std::size_t i = 0; i < count; ++i) {
            detail::store_le32(in + i * block_bytes, static_cast<std::uint32_t>(i));
            std::copy(nonce.begin(), nonce.end(), in + i * block_bytes + 4);
        }
        ops_->encrypt_blocks(st.kgk, in, out, count);
        // Keep the first 8 bytes of each block: 2 for the authentication key, 2 or 4 for the
        // encryption key.
        Byte keys[count * 8];
        for (std::size_t i = 0; i < count; ++i) std::copy(out + i * block_bytes, out + i * block_bytes + 8, keys + i * 8);
        st.have_nonce = false;
        ops_->set_hash_key(st.hash, keys);
        ops_->set_key(st.enc, keys + 16, key_bytes);
        st.nonce = nonce;
        st.have_nonce = true;
        wipe(out);
        wipe(keys);
    }

    /// POLYVAL over n whole blocks, computing further key powers first if n needs them.
    void polyval(Byte* s, const Byte* p, std::size_t n) const {
        detail::prepare_hash_key(*ops_, state_->hash, n);
        ops_->polyval(state_->hash, s, p, n);
    }

    /// Absorbs `n` bytes into POLYVAL, zero-padding the last block (RFC 8452 §4).
    void absorb(Byte* s, const Byte* p, std::size_t n) const {
        const std::size_t whole = n / block_bytes;
        if (whole != 0) polyval(s, p, whole);
        if (const std::size_t rest = n % block_bytes; rest != 0) {
            Byte last[block_bytes] = {};
            std::copy(p + whole * block_bytes, p + n, last);
            polyval(s, last, 1);
            wipe(last);
        }
    }

    /// Absorbs the length block (RFC 8452 §4), then makes the tag.
    Tag finish_tag(Byte* s, const Nonce& nonce, std::uint64_t aad_bytes, std::uint64_t text_bytes) const {
        Byte lengths[block_bytes];
        detail::store_le64(lengths, aad_bytes * 8);
        detail::store_le64(lengths + 8, text_bytes * 8);
        polyval(s, lengths, 1);
        return encrypt_tag(s, nonce);
    }

    /// Xors the nonce into the POLYVAL result, clears the top bit and encrypts (RFC 8452 §4).
    Tag encrypt_tag(Byte* s, const Nonce& nonce) const {
        for (std::size_t i = 0; i < nonce_bytes; ++i) s[i] ^= nonce[i];
        s[15] &= 0x7f;
        Tag tag;
        ops_->encrypt_blocks(state_->enc, s, tag.data(), 1);
        wipe({s, block_bytes});
        return tag;
    }

    static constexpr std::size_t small_bytes = 512;

    static constexpr std::size_t padded(std::size_t n) noexcept { return (n + block_bytes - 1) / block_bytes * block_bytes; }

    /// True when the padded AAD, text and length block fit one 512-byte POLYVAL batch.
    static constexpr bool fits_small(std::size_t aad_bytes, std::size_t text_bytes) noexcept {
        return aad_bytes <= small_bytes && text_bytes <= small_bytes &&
               padded(aad_bytes) + padded(text_bytes) + block_bytes <= small_bytes;
    }

    /// POLYVAL over the padded AAD, the padded text and the length block, then the tag.
    Tag compute_tag(const Nonce& nonce, ByteView aad, const Byte* text, std::size_t n) const {
        Byte s[block_bytes] = {};
        if (fits_small(aad.size(), n)) {
            // Small messages: gather everything into one buffer so that the whole POLYVAL is a
            // single aggregated pass with one reduction per 8, 16 or 32 blocks.
            alignas(64) Byte buf[small_bytes];
            const std::size_t a = padded(aad.size()), t = padded(n);
            // Zero only the padding of the two parts.
            std::fill(buf + aad.size(), buf + a, Byte{0});
            std::fill(buf + a + n, buf + a + t, Byte{0});
            std::copy(aad.begin(), aad.end(), buf);
            std::copy(text, text + n, buf + a);
            detail::store_le64(buf + a + t, std::uint64_t{aad.size()} * 8);
            detail::store_le64(buf + a + t + 8, std::uint64_t{n} * 8);
            polyval(s, buf, (a + t) / block_bytes + 1);
            wipe({buf + a, t});
            return encrypt_tag(s, nonce);
        }
        absorb(s, aad.data(), aad.size());
        absorb(s, text, n);
        return finish_tag(s, nonce, aad.size(), n);
    }

    Implementation impl_;
    const detail::Ops* ops_;
    std::unique_ptr<State> state_;
};

} // namespace sealpipe::aead

#endif // SEALPIPE_AEAD_AES_GCM_SIV_HPP
