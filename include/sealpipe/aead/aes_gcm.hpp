// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// AES-GCM (NIST SP 800-38D): the policy `AesGcm<NoncePolicy, KeyBits>` and its keyed
// `Context`. Not nonce-misuse-resistant: only for randomized encoding.

#ifndef SEALPIPE_AEAD_AES_GCM_HPP
#define SEALPIPE_AEAD_AES_GCM_HPP

#include <sealpipe/aead/concepts.hpp>
#include <sealpipe/aead/detail/cryptopp_gcm.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sealpipe::aead {

/// The nonce policy of AES-GCM: 96-bit nonces (SP 800-38D §8.2, the only length without
/// GHASH-derived counters). Random 96-bit nonces are safe for at most 2^32 messages per key.
struct Nonce12 {
    static constexpr std::size_t nonce_bytes = 12;
};

struct AesGcmKeyRole;

/** AES-GCM with a 128- or 256-bit key and a 16-byte tag, through Crypto++ `GCM<AES>`.

    **Not nonce-misuse-resistant**: a repeated (key, nonce) pair reveals the XOR of two
    plaintexts and lets an attacker forge tags. `nonce_misuse_resistant` is false, so the
    encoding pipelines accept it only in randomized mode (a fresh random nonce per object);
    `DeterministicPipeline<..., AesGcm<Nonce12>>` and `KeyedPipeline<...>` do not compile. */
template <class NoncePolicy = Nonce12, std::size_t KeyBits = 256>
class AesGcm {
    static_assert(NoncePolicy::nonce_bytes == 12, "sealpipe: AesGcm<NoncePolicy, KeyBits> supports 12-byte nonces only (Nonce12)");
    static_assert(KeyBits == 128 || KeyBits == 256, "sealpipe: AesGcm<NoncePolicy, KeyBits> requires KeyBits to be 128 or 256");

public:
    static constexpr std::size_t key_bits = KeyBits;
    static constexpr std::size_t key_bytes = KeyBits / 8;
    static constexpr std::size_t nonce_bytes = NoncePolicy::nonce_bytes;
    static constexpr std::size_t tag_bytes = 16;
    /// SP 800-38D: a repeated nonce breaks confidentiality and authenticity.
    static constexpr bool nonce_misuse_resistant = false;
    /// SP 800-38D §5.2.1.1: at most 2^39 - 256 bits of plaintext.
    static constexpr std::uint64_t max_plaintext_bytes = (std::uint64_t{1} << 36) - 32;
    static constexpr std::string_view name = KeyBits == 128 ? "AES-128-GCM" : "AES-256-GCM";

    using Key = FixedSecret<key_bytes, AesGcmKeyRole>;
    using Nonce = NonceBytes<nonce_bytes>;
    using Tag = TagBytes<tag_bytes>;

    /// A key ready to seal and open. Move-only; not safe to share between threads.
    class Context {
    public:
        explicit Context(const Key& key)
            : gcm_(std::make_unique<detail::CryptoppGcm>(key.reveal(hazmat::secret_access()).data(), key_bytes,
                                                         nonce_bytes)) {}
        Context(Context&&) noexcept = default;
        Context& operator=(Context&&) noexcept = default;

        /** Encrypts into `out` = ciphertext ‖ tag (`out` may start at `plaintext.data()`).
            @par Errors `errc::invalid_length`, `errc::size_limit_exceeded`.
            @par Security Never reuse a nonce under one key. */
        [[nodiscard]] result<void> seal(const Nonce& nonce, ByteView plaintext, ByteView aad, MutableByteView out) {
            if (out.size() != plaintext.size() + tag_bytes)
                return length_error("aead seal output", plaintext.size() + tag_bytes, out.size());
            auto tag = seal_detached(nonce, plaintext, aad, out.first(plaintext.size()));
            if (!tag) return tag.error();
            std::copy(tag->begin(), tag->end(), out.begin() + static_cast<std::ptrdiff_t>(plaintext.size()));
            return {};
        }

        /** Encrypts into `ciphertext` (same size; may be the same buffer); returns the tag.
            @par Errors as for `seal`. */
        [[nodiscard]] result<Tag> seal_detached(const Nonce& nonce, ByteView plaintext, ByteView aad,
                                                MutableByteView ciphertext) {
            if (ciphertext.size() != plaintext.size())
                return length_error("aead ciphertext output", plaintext.size(), ciphertext.size());
            if (plaintext.size() > max_plaintext_bytes) return too_large();
            if (!gcm_) return moved_from();
            Tag tag;
            if (auto r = gcm_->seal(nonce.data(), nonce_bytes, aad, plaintext.data(), ciphertext.data(),
                                    plaintext.size(), tag.data(), tag_bytes);
                !r)
                return r.error();
            return tag;
        }

        /** Verifies and decrypts `sealed` = ciphertext ‖ tag into `out`.
            @par Errors `errc::authentication_failed` (then `out` is wiped);
            `errc::malformed_input` for input shorter than the tag; `errc::invalid_length`. */
        [[nodiscard]] result<void> open(const Nonce& nonce, ByteView sealed, ByteView aad, MutableByteView out) {
            auto split = detail::split_tag<tag_bytes>(sealed);
            if (!split) return split.error();
            return open_detached(nonce, split->first, split->second, aad, out);
        }

        /** Verifies `tag` and decrypts `ciphertext` into `plaintext` (same size).
            @par Errors `errc::authentication_failed` (then `plaintext` is wiped); sizes.
            @par Security Crypto++ compares the tag in constant time (VerifyBufsEqual). */
        [[nodiscard]] result<void> open_detached(const Nonce& nonce, ByteView ciphertext, const Tag& tag, ByteView aad,
                                                 MutableByteView plaintext) {
            if (plaintext.size() != ciphertext.size())
                return length_error("aead plaintext output", ciphertext.size(), plaintext.size());
            if (ciphertext.size() > max_plaintext_bytes) return too_large();
            if (!gcm_) return moved_from();
            const Tag received = tag;
            auto ok = gcm_->open(nonce.data(), nonce_bytes, aad, ciphertext.data(), plaintext.data(), ciphertext.size(),
                                 received.data(), tag_bytes);
            if (!ok || !*ok) {
                wipe(plaintext);
                if (!ok) return ok.error();
                return fail(errc::authentication_failed, "aead open: authentication failed");
            }
            return {};
        }

    private:
        static Error too_large() {
            return fail(errc::size_limit_exceeded, "aead: plaintext exceeds the AES-GCM limit of 2^36 - 32 bytes");
        }
        static Error moved_from() { return fail(errc::invalid_argument, "aead: the context was moved from"); }

        std::unique_ptr<detail::CryptoppGcm> gcm_;
    };
};

} // namespace sealpipe::aead

#endif // SEALPIPE_AEAD_AES_GCM_HPP
