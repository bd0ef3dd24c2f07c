// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The client role (Alice, doc/protocol.md, "Actions and events"): `Client` seals actions for a platform key
// with its certificate chain and private key; `PendingAction` opens the events of that action only.

#ifndef SEALPIPE_EXECUTION_CLIENT_HPP
#define SEALPIPE_EXECUTION_CLIENT_HPP

#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/execution/sealing.hpp>
#include <sealpipe/keys/ecdh.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/purpose.hpp>
#include <sealpipe/keys/x509.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sealpipe::execution {

namespace detail {

/** ECDH between keys read at run time, Ed25519 on either side converted (doc/protocol.md, "Keys and key
    agreement").
    @par Errors `errc::invalid_key` for keys of different curves. */
inline result<keys::AnySharedSecret> agree(const keys::AnyPrivateKey& mine, const keys::AnyPublicKey& peer) {
    return keys::ecdh(mine, peer);
}

/** The key of purpose P with the raw tweak (doc/protocol.md, "Purpose tweak"); P-384/P-521 secrets are no AES
    key.
    @par Errors `errc::unsupported` for 48- and 66-byte secrets. */
template <class P>
result<keys::AeadKey<P>> purpose_key(const keys::AnySharedSecret& s) {
    return std::visit(
        [](const auto& secret) -> result<keys::AeadKey<P>> {
            using S = std::decay_t<decltype(secret)>;
            if constexpr (keys::RawXor::accepts<S::size_bytes>) {
                return secret.template key_for<P>();
            } else {
                return fail(errc::unsupported, "remote execution: a " + std::string(S::curve::name) +
                                                    " shared secret is no AES-GCM-SIV key (Bonanza's raw tweak "
                                                    "needs X25519, Ed25519 or P-256 keys)");
            }
        },
        s);
}

/// Orders byte strings by length, then content: the key order of the role's caches.
/// (std::less<std::vector<unsigned char>> trips GCC 12's -Wstringop-overread at -O3.)
struct BytesLess {
    bool operator()(const Bytes& a, const Bytes& b) const noexcept {
        if (a.size() != b.size()) return a.size() < b.size();
        return !a.empty() && std::memcmp(a.data(), b.data(), a.size()) < 0;
    }
};

/// The event keys of one (client, platform) pair.
struct EventKeys {
    keys::AeadKey<keys::Purpose::ExecutionEvent> execution;
    keys::AeadKey<keys::Purpose::CompletionEvent> completion;
};

inline result<EventKeys> event_keys(const keys::AnySharedSecret& s) {
    auto e = purpose_key<keys::Purpose::ExecutionEvent>(s);
    if (!e) return e.error();
    auto c = purpose_key<keys::Purpose::CompletionEvent>(s);
    if (!c) return c.error();
    return EventKeys{std::move(*e), std::move(*c)};
}

} // namespace detail

/** An action the client sealed (or re-read): its bytes and the keys of its events. It opens
    the execution and completion events of this action only (AD = SHA-256 of its
    ciphertext). Cheap to copy the keys wipe themselves. */
class PendingAction {
public:
    /** Re-derives the event keys of an action this client sealed earlier, from the action
        bytes and the client's private key (the CLI's `event open`).
        @par Errors `errc::malformed_input` (not an Action), `errc::invalid_key` (platform
        key unreadable or of another curve), `errc::unsupported` (P-384/P-521). */
    [[nodiscard]] static result<PendingAction> resume(const Action& action, const keys::AnyPrivateKey& client_key) {
        auto platform = keys::AnyPublicKey::from_der(action.platform_pkix_public_key);
        if (!platform) return std::move(platform.error()).context("the action's platform_pkix_public_key");
        auto secret = detail::agree(client_key.to_agreement_key(), *platform);
        if (!secret) return secret.error();
        auto k = detail::event_keys(*secret);
        if (!k) return k.error();
        return PendingAction(action, std::move(*k));
    }

    /// The Action message.
    [[nodiscard]] const Action& action() const noexcept { return action_; }
    /// Its deterministic protobuf bytes (what travels to the scheduler).
    [[nodiscard]] const Bytes& bytes() const noexcept { return bytes_; }

    /** Opens an execution event of this action.
        @par Errors `errc::authentication_failed` (another action, the completion key, any
        byte changed), `errc::malformed_input` (not an Event, bad nonce size). */
    [[nodiscard]] result<Plaintext> open_execution_event(const Event& e) const {
        return open_event(keys_.execution, digest_, e);
    }
    /// Opens the completion event of this action. @par Errors as `open_execution_event`.
    [[nodiscard]] result<Plaintext> open_completion_event(const Event& e) const {
        return open_event(keys_.completion, digest_, e);
    }
    /// Decodes and opens an execution event. @par Errors as `open_execution_event`.
    [[nodiscard]] result<Plaintext> open_execution_event(ByteView event_bytes) const {
        auto e = Event::decode(event_bytes);
        if (!e) return e.error();
        return open_execution_event(*e);
    }
    /// Decodes and opens the completion event. @par Errors as `open_execution_event`.
    [[nodiscard]] result<Plaintext> open_completion_event(ByteView event_bytes) const {
        auto e = Event::decode(event_bytes);
        if (!e) return e.error();
        return open_completion_event(*e);
    }

private:
    friend class Client;
    PendingAction(Action a, detail::EventKeys k)
        : action_(std::move(a)), bytes_(action_.encode()), digest_(ActionDigest::of(action_.ciphertext)),
          keys_(std::move(k)) {}
    Action action_;
    Bytes bytes_;
    ActionDigest digest_;   // of the ciphertext, once: every event is opened against it
    detail::EventKeys keys_;
};

/** The client role: a certificate chain (leaf first) and the private key of its leaf. */
class Client {
public:
    /** @par Errors `errc::invalid_key` when the private key does not belong to the leaf
        certificate (the worker could never answer), or the leaf's key is unusable. */
    [[nodiscard]] static result<Client> create(keys::CertificateChain chain, keys::AnyPrivateKey key) {
        auto leaf = chain.leaf_agreement_key();
        if (!leaf) return std::move(leaf.error()).context("client certificate");
        auto mine = key.to_agreement_key().public_key();
        if (!(mine == *leaf))
            return fail(errc::invalid_key, "the client private key does not belong to the leaf certificate");
        return Client(std::move(chain), std::move(key));
    }

    /// Reads the chain (PEM, leaf first) and the PKCS#8 PEM private key. @par Errors as `create`.
    [[nodiscard]] static result<Client> from_pem(std::string_view chain_pem, std::string_view key_pem) {
        auto chain = keys::CertificateChain::from_pem(chain_pem);
        if (!chain) return std::move(chain.error()).context("client certificate chain");
        auto key = keys::AnyPrivateKey::from_pem(key_pem);
        if (!key) return std::move(key.error()).context("client private key");
        return create(std::move(*chain), std::move(*key));
    }

    /** Seals `plaintext` for the workers of `platform_key` (X25519, Ed25519 or P-256; an
        Ed25519 key is named by its converted X25519 key, doc/protocol.md, "Actions and events").
        @par Errors `errc::invalid_key` (platform key of another curve than the client's),
        `errc::unsupported` (P-384/P-521), `errc::io_error` (no randomness).
        @par Security `NoncePolicy::zero` lets the scheduler see that two actions are equal
        (and run them once); `random` hides that. */
    [[nodiscard]] result<PendingAction> seal(const keys::AnyPublicKey& platform_key, ByteView plaintext,
                                             AdditionalData additional_data,
                                             NoncePolicy policy = NoncePolicy::zero) const {
        auto nonce = nonce_for(policy);
        if (!nonce) return nonce.error();
        return seal(platform_key, plaintext, std::move(additional_data), hazmat::chosen_nonce(*nonce));
    }

    /** As `seal`, with a nonce the caller chose (the CLI's `--nonce HEX`):
        `client.seal(platform, text, ad, hazmat::chosen_nonce(nonce))`. */
    [[nodiscard]] result<PendingAction> seal(const keys::AnyPublicKey& platform_key, ByteView plaintext,
                                             AdditionalData additional_data,
                                             const hazmat::ChosenNonce<Nonce>& nonce) const {
        auto keys = keys_for(platform_key);
        if (!keys) return keys.error();
        Action action;
        action.platform_pkix_public_key = std::move(keys->platform_der);
        action.client_certificate_chain = chain_der_;
        action.additional_data = std::move(additional_data);
        if (auto r = seal_action(keys->action, nonce, plaintext, action); !r) return r.error();
        return PendingAction(std::move(action), std::move(keys->events));
    }

    /// As below, with the nonce `policy` picks.
    [[nodiscard]] result<Bytes> seal_bytes(const keys::AnyPublicKey& platform_key, ByteView plaintext,
                                           AdditionalData additional_data,
                                           NoncePolicy policy = NoncePolicy::zero) const {
        auto nonce = nonce_for(policy);
        if (!nonce) return nonce.error();
        return seal_bytes(platform_key, plaintext, std::move(additional_data), hazmat::chosen_nonce(*nonce));
    }

    /** Seals as `seal` does and returns only the encoded Action, byte for byte
        `seal(...).bytes()`, sealed straight into the message: one buffer of the message's
        size beside the plaintext, for a caller that sends the action and opens its events
        elsewhere (`PendingAction::resume`). @par Errors as `seal`. */
    [[nodiscard]] result<Bytes> seal_bytes(const keys::AnyPublicKey& platform_key, ByteView plaintext,
                                           AdditionalData additional_data,
                                           const hazmat::ChosenNonce<Nonce>& nonce) const {
        auto keys = keys_for(platform_key);
        if (!keys) return keys.error();
        const std::size_t sealed = plaintext.size() + aead::AesGcmSiv<256>::tag_bytes;
        Bytes aad;
        Bytes out = head(*keys, std::move(additional_data), nonce.value(), sealed, aad);
        const std::size_t at = out.size();
        out.resize(at + sealed);
        if (auto r = detail::seal_into(keys->action, nonce.value(), plaintext, aad, MutableByteView(out).subspan(at));
            !r)
            return r.error();
        return out;
    }

    /** The size of the Action that `seal_in_place` makes of `plaintext_size` bytes for
        `platform_key` with `additional_data`: how long its buffer must be.
        @par Errors as `seal` (the key agreement is made here, and kept for the seal). */
    [[nodiscard]] result<std::size_t> sealed_size(const keys::AnyPublicKey& platform_key, std::size_t plaintext_size,
                                                  const AdditionalData& additional_data) const {
        auto keys = keys_for(platform_key);
        if (!keys) return keys.error();
        Bytes aad;
        const std::size_t sealed = plaintext_size + aead::AesGcmSiv<256>::tag_bytes;
        return head(*keys, additional_data, Nonce{}, sealed, aad).size() + sealed;
    }

    /** Seals the plaintext in the first `plaintext_size` bytes of `buffer` over itself: the
        first `sealed_size(platform_key, plaintext_size, additional_data)` bytes of `buffer`
        become the encoded Action, byte for byte what `seal_bytes` returns, and that size is
        returned. Nothing of the plaintext's size is allocated: a 16 MiB action costs one
        buffer of 16 MiB. `buffer` may be longer than needed.
        @par Errors as `seal`; `errc::invalid_length` when `buffer` is shorter than the Action
        or `plaintext_size` exceeds it. On any error `buffer` is left as it was. */
    [[nodiscard]] result<std::size_t> seal_in_place(const keys::AnyPublicKey& platform_key, MutableByteView buffer,
                                                    std::size_t plaintext_size, AdditionalData additional_data,
                                                    const hazmat::ChosenNonce<Nonce>& nonce) const {
        if (plaintext_size > buffer.size())
            return fail(errc::invalid_length, "seal_in_place: the plaintext is longer than the buffer");
        auto keys = keys_for(platform_key);
        if (!keys) return keys.error();
        const std::size_t sealed = plaintext_size + aead::AesGcmSiv<256>::tag_bytes;
        Bytes aad;
        const Bytes prefix = head(*keys, std::move(additional_data), nonce.value(), sealed, aad);
        const std::size_t total = prefix.size() + sealed;
        if (buffer.size() < total)
            return fail(errc::invalid_length, "seal_in_place: the Action needs " + std::to_string(total) +
                                                   " bytes, the buffer has " + std::to_string(buffer.size()));
        // The plaintext moves up past the message's head, then is sealed where it lies.
        std::memmove(buffer.data() + prefix.size(), buffer.data(), plaintext_size);
        std::copy(prefix.begin(), prefix.end(), buffer.begin());
        const MutableByteView body = buffer.subspan(prefix.size(), sealed);
        if (auto r = detail::seal_into(keys->action, nonce.value(), body.first(plaintext_size), aad, body); !r) {
            // Not reached for a valid key and a plaintext within the message limit; put the
            // plaintext back as promised.
            std::memmove(buffer.data(), body.data(), plaintext_size);
            return r.error();
        }
        return total;
    }

    [[nodiscard]] const keys::CertificateChain& chain() const noexcept { return chain_; }

private:
    Client(keys::CertificateChain c, keys::AnyPrivateKey k)
        : chain_(std::move(c)), chain_der_(chain_.der()), key_(std::move(k)) {}

    /// The keys of the actions for one platform key.
    struct Keys {
        Bytes platform_der;   // on its agreement curve (Ed25519 converted)
        keys::AeadKey<keys::Purpose::Action> action;
        detail::EventKeys events;
    };
    /** The encoded Action up to its ciphertext: fields 1 to 4 and the key and length of field
        5 (a ciphertext of `sealed` bytes follows). `aad` receives the encoded additional
        data, the ciphertext's associated data. */
    [[nodiscard]] Bytes head(const Keys& keys, AdditionalData additional_data, const Nonce& nonce, std::size_t sealed,
                             Bytes& aad) const {
        Action head;   // the ciphertext (field 5) follows the bytes returned
        head.platform_pkix_public_key = keys.platform_der;
        head.client_certificate_chain = chain_der_;
        head.nonce = to_bytes(nonce);
        head.additional_data = std::move(additional_data);
        aad = head.additional_data->encode();
        Bytes out = head.encode();
        codec::protobuf::Writer key;
        key.tag(5, codec::protobuf::WireType::length_delimited);
        key.varint(sealed);
        const Bytes field = key.take();
        out.insert(out.end(), field.begin(), field.end());
        return out;
    }

    /// The keys per platform key, agreed once (ECDH is deterministic): shared by copies of a
    /// client, bounded.
    struct Cache {
        std::mutex mutex;
        std::map<Bytes, Keys, detail::BytesLess> entries;
        static constexpr std::size_t max_entries = 256;
    };

    result<Keys> keys_for(const keys::AnyPublicKey& platform_key) const {
        const Bytes der = platform_key.to_der();
        {
            std::lock_guard lock(cache_->mutex);
            if (auto it = cache_->entries.find(der); it != cache_->entries.end()) return it->second;
        }
        auto platform = platform_key.to_agreement_key();
        if (!platform) return std::move(platform.error()).context("platform key");
        auto secret = detail::agree(key_.to_agreement_key(), *platform);
        if (!secret) return std::move(secret.error()).context("client key and platform key");
        auto action_key = detail::purpose_key<keys::Purpose::Action>(*secret);
        if (!action_key) return action_key.error();
        auto events = detail::event_keys(*secret);
        if (!events) return events.error();
        Keys k{platform->to_der(), std::move(*action_key), std::move(*events)};
        std::lock_guard lock(cache_->mutex);
        if (cache_->entries.size() >= Cache::max_entries) cache_->entries.clear();
        cache_->entries.insert_or_assign(der, k);
        return k;
    }

    keys::CertificateChain chain_;
    std::vector<Bytes> chain_der_;
    keys::AnyPrivateKey key_;
    std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

} // namespace sealpipe::execution

#endif // SEALPIPE_EXECUTION_CLIENT_HPP
