// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The worker role (Bob, doc/protocol.md, "Actions and events"): `Worker` holds platform private keys
// (several, for key rotation) and the client CAs it trusts; it proves possession of its keys, verifies and
// opens actions, and `Responder` seals the events answering one action.

#ifndef SEALPIPE_EXECUTION_WORKER_HPP
#define SEALPIPE_EXECUTION_WORKER_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/execution/sealing.hpp>
#include <sealpipe/keys/ecdh.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/proof.hpp>
#include <sealpipe/keys/x509.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <type_traits>
#include <vector>

namespace sealpipe::execution {

/** Seals the events answering one action: the execution events (purpose 2) and the
    completion event (purpose 3), with AD = SHA-256 of that action's ciphertext. */
class Responder {
public:
    /** The responder of `action` for the holder of `platform_key`, WITHOUT verifying the
        client's certificate chain (the CLI's `event seal`; a `Worker` verifies first).
        @par Errors `errc::malformed_input` (no chain), `errc::unknown_platform_key`
        (the action names another platform key), key errors as `Client::seal`. */
    [[nodiscard]] static result<Responder> unverified(const keys::AnyPrivateKey& platform_key, const Action& action) {
        auto mine = platform_key.to_agreement_key();
        if (!same_bytes(mine.public_key().to_der(), action.platform_pkix_public_key))
            return fail(errc::unknown_platform_key, "the action is for another platform key");
        if (action.client_certificate_chain.empty())
            return fail(errc::malformed_input, "the action has no client certificate chain");
        auto chain = keys::CertificateChain::from_der(action.client_certificate_chain);
        if (!chain) return std::move(chain.error()).context("client certificate chain");
        auto client = chain->leaf_agreement_key();
        if (!client) return std::move(client.error()).context("client certificate");
        auto secret = detail::agree(mine, *client);
        if (!secret) return std::move(secret.error()).context("platform key and client key");
        auto k = detail::event_keys(*secret);
        if (!k) return k.error();
        return Responder(ActionDigest::of(action.ciphertext), std::move(*k));
    }

    /// An execution event carrying `plaintext`, under a fresh random nonce. @par Errors `errc::io_error`.
    [[nodiscard]] result<Event> execution_event(ByteView plaintext) const {
        return seal_event(keys_.execution, action_, plaintext);
    }
    /// The completion event carrying `plaintext`, under a fresh random nonce. @par Errors `errc::io_error`.
    [[nodiscard]] result<Event> completion_event(ByteView plaintext) const {
        return seal_event(keys_.completion, action_, plaintext);
    }
    /** As `execution_event`, under a nonce the caller chose (tests, the CLI's `--nonce`):
        `responder.execution_event(text, hazmat::chosen_nonce(nonce))`.
        @par Security Never use a nonce for two different events of one action. */
    [[nodiscard]] result<Event> execution_event(ByteView plaintext, const hazmat::ChosenNonce<Nonce>& nonce) const {
        return seal_event(keys_.execution, action_, nonce, plaintext);
    }
    /// As `completion_event`, under a nonce the caller chose.
    [[nodiscard]] result<Event> completion_event(ByteView plaintext, const hazmat::ChosenNonce<Nonce>& nonce) const {
        return seal_event(keys_.completion, action_, nonce, plaintext);
    }

private:
    friend class Worker;
    static bool same_bytes(ByteView a, ByteView b) noexcept { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }
    Responder(ActionDigest action, detail::EventKeys k) : action_(action), keys_(std::move(k)) {}
    ActionDigest action_;   // the events' associated data: 32 bytes, not the action's ciphertext
    detail::EventKeys keys_;
};

/// An action the worker verified and opened.
struct OpenedAction {
    Plaintext plaintext;                ///< authenticated plaintext, in wiping storage
    AdditionalData additional_data;     ///< with a valid execution_timeout in [0, the maximum]
    keys::CertificateChain client;      ///< the verified client chain
    Bytes platform_pkix_public_key;     ///< which of the worker's keys it was for
    Responder responder;                ///< seals this action's events
};

/// An action the worker verified and opened where it lay (`Worker::open_in_place`): as
/// `OpenedAction`, but the plaintext is a view of the caller's buffer.
struct OpenedActionInPlace {
    MutableByteView plaintext;          ///< authenticated plaintext, within the caller's buffer
    AdditionalData additional_data;     ///< with a valid execution_timeout in [0, the maximum]
    keys::CertificateChain client;      ///< the verified client chain
    Bytes platform_pkix_public_key;     ///< which of the worker's keys it was for
    Responder responder;                ///< seals this action's events
};

/** The worker role: platform private keys (the first announced first; more than one during
    key rotation), the client CAs it trusts and the longest execution timeout it accepts. */
class Worker {
public:
    /** @par Errors `errc::invalid_argument` (no platform key, a maximum timeout that is
        not positive). Platform keys may be X25519, Ed25519 or P-256 (Bonanza's raw tweak);
        P-384/P-521 keys are `errc::unsupported`. */
    [[nodiscard]] static result<Worker> create(std::vector<keys::AnyPrivateKey> platform_keys, keys::TrustStore trust,
                                               std::chrono::nanoseconds max_execution_timeout) {
        if (platform_keys.empty()) return fail(errc::invalid_argument, "a worker needs at least one platform key");
        if (max_execution_timeout <= std::chrono::nanoseconds::zero())
            return fail(errc::invalid_argument, "the maximum execution timeout must be positive");
        std::vector<Entry> entries;
        for (auto& k : platform_keys) {
            if (k.is<keys::P384>() || k.is<keys::P521>())
                return fail(errc::unsupported, std::string("platform key of type ") + std::string(k.type_name()) +
                                                    ": remote execution needs X25519, Ed25519 or P-256 keys");
            keys::AnyPrivateKey agreement = k.to_agreement_key();
            Bytes der = agreement.public_key().to_der();
            entries.push_back(Entry{std::move(agreement), std::move(der)});
        }
        return Worker(std::move(entries), std::move(trust), max_execution_timeout);
    }

    /// The platform public keys this worker announces: PKIX DER, Ed25519 keys as their
    /// converted X25519 key (doc/protocol.md, "Actions and events").
    [[nodiscard]] std::vector<Bytes> platform_public_keys() const {
        std::vector<Bytes> out;
        for (const Entry& e : keys_) out.push_back(e.public_der);
        return out;
    }

    /** The proof of possession of the platform key `platform_pkix` against the scheduler's
        ephemeral public key: verification zeros (doc/protocol.md, "Actions and events").
        @par Errors `errc::unknown_platform_key`, `errc::invalid_key` (ephemeral key of
        another curve or of low order). */
    [[nodiscard]] result<keys::VerificationZeros> prove_possession(ByteView platform_pkix,
                                                                   const keys::AnyPublicKey& ephemeral) const {
        const Entry* e = find(platform_pkix);
        if (!e) return fail(errc::unknown_platform_key, "no platform key of this worker matches");
        auto secret = detail::agree(e->key, ephemeral);
        if (!secret) return std::move(secret.error()).context("proof of possession");
        return keys::verification_zeros(*secret);
    }

    /** Decodes, verifies and opens an action at time `now`.
        @par Errors in the order checked: `errc::malformed_input` (not an Action, no
        additional data, no execution timeout, a nonce that is not 12 bytes: "Nonce was N
        bytes in size, while 12 bytes were expected", no client chain),
        `errc::invalid_argument` (an invalid or negative timeout; zero is valid and leaves
        the action no time at all), `errc::size_limit_exceeded`
        (a timeout above the maximum), `errc::unknown_platform_key`,
        `errc::untrusted_certificate` / `errc::certificate_expired`,
        `errc::invalid_key` (client key of another curve), `errc::authentication_failed`. */
    [[nodiscard]] result<OpenedAction> open(ByteView action_bytes, std::chrono::system_clock::time_point now) const {
        auto a = Action::decode(action_bytes);
        if (!a) return a.error();
        return open(*a, now);
    }

    /// Verifies and opens a decoded action. @par Errors as the other overload.
    [[nodiscard]] result<OpenedAction> open(const Action& action, std::chrono::system_clock::time_point now) const {
        auto v = verify(action, now);
        if (!v) return v.error();
        auto plaintext = open_action(v->agreement.action, action);
        if (!plaintext) return plaintext.error();
        return OpenedAction{std::move(*plaintext), *action.additional_data, std::move(v->agreement.chain),
                            v->entry->public_der,
                            Responder(ActionDigest::of(action.ciphertext), std::move(v->agreement.events))};
    }

    /** Decodes, verifies and opens the action in `action_bytes` as `open` does, decrypting
        it where it lies: the plaintext is a view of `action_bytes` (the bytes of its
        ciphertext field), valid as long as the buffer. Nothing of the action's size is
        allocated. @par Errors as `open`; on `errc::authentication_failed` the ciphertext's
        bytes are wiped, and on other errors `action_bytes` is unchanged. */
    [[nodiscard]] result<OpenedActionInPlace> open_in_place(MutableByteView action_bytes,
                                                            std::chrono::system_clock::time_point now) const {
        ByteView ciphertext;
        auto action = Action::decode_viewing_ciphertext(action_bytes, ciphertext);
        if (!action) return action.error();
        auto v = verify(*action, now);
        if (!v) return v.error();
        const ActionDigest digest = ActionDigest::of(ciphertext);   // before it is decrypted over
        // Where the ciphertext lies in the caller's buffer (no field 5: an empty view at the end,
        // which the size check below refuses as `open` does).
        const std::size_t offset = ciphertext.empty() ? action_bytes.size()
                                                      : static_cast<std::size_t>(ciphertext.data() - action_bytes.data());
        const MutableByteView sealed = action_bytes.subspan(offset, ciphertext.size());
        auto plaintext = detail::open_in_place(v->agreement.action, action->nonce, sealed,
                                               action->additional_data->encode());
        if (!plaintext) return plaintext.error();
        return OpenedActionInPlace{*plaintext, std::move(*action->additional_data), std::move(v->agreement.chain),
                                   v->entry->public_der, Responder(digest, std::move(v->agreement.events))};
    }

    /// A temporary buffer is refused: the opened plaintext would be a view of a buffer that is
    /// gone (open it with `open`, which returns the plaintext in storage of its own).
    template <class Buffer>
        requires(!std::is_lvalue_reference_v<Buffer> && std::is_constructible_v<MutableByteView, Buffer&>)
    void open_in_place(Buffer&&, std::chrono::system_clock::time_point) const {
        static_assert(sizeof(Buffer) == 0,
                      "sealpipe: open_in_place(buffer, now) leaves the plaintext in `buffer`, so the buffer must "
                      "outlive the result; a temporary would leave it dangling (use open() instead)");
    }

    [[nodiscard]] std::chrono::nanoseconds max_execution_timeout() const noexcept { return max_timeout_; }

private:
    struct Entry {
        keys::AnyPrivateKey key;   // on its agreement curve
        Bytes public_der;
    };

    /// What a verified chain gives for one platform key: the chain and the action's keys.
    struct Agreement {
        keys::CertificateChain chain;
        keys::AeadKey<keys::Purpose::Action> action;
        detail::EventKeys events;
    };

    /** Verified chains, by (platform key, chain bytes), each with the second it was verified
        at. Chain verification works in whole seconds (keys::TrustStore::verify_client), so a
        chain verified at second S is, at any time within S, exactly as valid: reusing the
        result within that second changes nothing but the cost (the chain check and the ECDH).
        Shared by copies of a worker; bounded. */
    struct Cache {
        std::mutex mutex;
        std::map<Bytes, std::pair<std::int64_t, Agreement>, detail::BytesLess> entries;
        static constexpr std::size_t max_entries = 1024;
    };

    struct Verified {
        const Entry* entry;
        Agreement agreement;
    };

    /// Everything `open` checks before decrypting, in its documented order, and the keys.
    result<Verified> verify(const Action& action, std::chrono::system_clock::time_point now) const {
        if (!action.additional_data) return fail(errc::malformed_input, "Action does not contain additional data");
        if (auto t = check_timeout(*action.additional_data); !t) return t.error();
        if (action.nonce.size() != Nonce::size_bytes) return detail::nonce_size_error(action.nonce.size());
        const Entry* e = find(action.platform_pkix_public_key);
        if (!e) return fail(errc::unknown_platform_key, "the action's platform_pkix_public_key matches no platform key "
                                                          "of this worker");
        if (action.client_certificate_chain.empty())
            return fail(errc::malformed_input, "the action has no client certificate chain");
        auto agreed = agreement(*e, action.client_certificate_chain, now);
        if (!agreed) return agreed.error();
        return Verified{e, std::move(*agreed)};
    }

    /// Verifies the chain at `now` and agrees on the action's keys, or reuses that work when
    /// the same chain was verified for the same platform key within the same second.
    result<Agreement> agreement(const Entry& e, const std::vector<Bytes>& certificates,
                                std::chrono::system_clock::time_point now) const {
        const auto second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
        Sha256 h;
        auto add = [&](ByteView b) {
            const std::uint64_t n = b.size();
            Byte len[8];
            for (int i = 0; i < 8; ++i) len[i] = static_cast<Byte>(n >> (8 * i));
            h.update(ByteView(len, 8));
            h.update(b);
        };
        add(e.public_der);
        for (const Bytes& c : certificates) add(c);
        const auto digest = h.finish();
        Bytes key = to_bytes(ByteView(digest));
        {
            std::lock_guard lock(cache_->mutex);
            if (auto it = cache_->entries.find(key); it != cache_->entries.end() && it->second.first == second)
                return it->second.second;
        }
        auto chain = keys::CertificateChain::from_der(certificates);
        if (!chain) return std::move(chain.error()).context("client certificate chain");
        if (auto v = trust_.verify_client(*chain, now); !v) return std::move(v.error()).context("client certificate");
        auto client = chain->leaf_agreement_key();
        if (!client) return std::move(client.error()).context("client certificate");
        auto secret = detail::agree(e.key, *client);
        if (!secret) return std::move(secret.error()).context("platform key and client key");
        auto action_key = detail::purpose_key<keys::Purpose::Action>(*secret);
        if (!action_key) return action_key.error();
        auto events = detail::event_keys(*secret);
        if (!events) return events.error();
        Agreement a{std::move(*chain), std::move(*action_key), std::move(*events)};
        std::lock_guard lock(cache_->mutex);
        if (cache_->entries.size() >= Cache::max_entries) cache_->entries.clear();
        cache_->entries.insert_or_assign(std::move(key), std::make_pair(second, a));
        return a;
    }

    Worker(std::vector<Entry> k, keys::TrustStore t, std::chrono::nanoseconds max)
        : keys_(std::move(k)), trust_(std::move(t)), max_timeout_(max) {}

    const Entry* find(ByteView pkix) const noexcept {
        for (const Entry& e : keys_)
            if (std::equal(e.public_der.begin(), e.public_der.end(), pkix.begin(), pkix.end())) return &e;
        return nullptr;
    }

    result<void> check_timeout(const AdditionalData& ad) const {
        if (!ad.execution_timeout)
            return fail(errc::malformed_input, "Action does not contain an execution timeout");
        const Duration& d = *ad.execution_timeout;
        // Zero is valid (Bonanza's worker runs it with no time at all: it times out at once);
        // a negative timeout leaves no effective timeout in [0, timeout], so Bonanza rejects it.
        if (!d.valid() || d.seconds < 0 || d.nanos < 0)
            return fail(errc::invalid_argument, "execution timeout " + std::to_string(d.seconds) + "s " +
                                                     std::to_string(d.nanos) + "ns is not a valid non-negative duration");
        if (d.to_chrono() > max_timeout_)
            return fail(errc::size_limit_exceeded,
                        "execution timeout of " + std::to_string(d.seconds) + " s exceeds the maximum of " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(max_timeout_).count()) +
                            " s");
        return {};
    }

    std::vector<Entry> keys_;
    keys::TrustStore trust_;
    std::chrono::nanoseconds max_timeout_;
    std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

} // namespace sealpipe::execution

#endif // SEALPIPE_EXECUTION_WORKER_HPP
