// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The cryptography of actions and events (doc/protocol.md, "Actions and events"): sealing and opening an
// Action's ciphertext under `AeadKey<Purpose::Action>` and an Event under the key of its purpose.

#ifndef SEALPIPE_EXECUTION_SEALING_HPP
#define SEALPIPE_EXECUTION_SEALING_HPP

#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/keys/purpose.hpp>

#include <string>
#include <type_traits>

namespace sealpipe::execution {

/// The 12-byte AES-GCM-SIV nonce of actions and events.
using Nonce = aead::NonceBytes<12>;

/// Plaintext released after authentication, in wiping storage.
using Plaintext = SecureBytes;

/// True for the two purposes of events (worker to client).
template <class P>
inline constexpr bool is_event_purpose_v =
    std::is_same_v<P, keys::Purpose::ExecutionEvent> || std::is_same_v<P, keys::Purpose::CompletionEvent>;

namespace detail {

/// AES-GCM-SIV with the key size of `key` (16 or 32 bytes).
template <class P, class F>
auto with_context(const keys::AeadKey<P>& key, F&& f) {
    const ByteView k = key.reveal(hazmat::secret_access());
    if (k.size() == 16) {
        aead::AesGcmSiv<128>::Context ctx(aead::AesGcmSiv<128>::Key::from(k).value());
        return f(ctx);
    }
    aead::AesGcmSiv<256>::Context ctx(aead::AesGcmSiv<256>::Key::from(k).value());
    return f(ctx);
}

template <class P>
result<Bytes> seal(const keys::AeadKey<P>& key, const Nonce& nonce, ByteView plaintext, ByteView aad) {
    return with_context(key, [&](auto& ctx) { return ctx.seal(nonce, plaintext, aad); });
}

/// As `seal`, into `out` (exactly plaintext + 16 bytes).
template <class P>
result<void> seal_into(const keys::AeadKey<P>& key, const Nonce& nonce, ByteView plaintext, ByteView aad,
                       MutableByteView out) {
    return with_context(key, [&](auto& ctx) { return ctx.seal(nonce, plaintext, aad, out); });
}

/// Bonanza's message for a nonce of the wrong size (pkg/encryptedaction).
inline Error nonce_size_error(std::size_t got) {
    return fail(errc::malformed_input,
                "Nonce was " + std::to_string(got) + " bytes in size, while 12 bytes were expected");
}

template <class P>
result<Plaintext> open(const keys::AeadKey<P>& key, ByteView nonce, ByteView sealed, ByteView aad) {
    // Checked before any decryption.
    if (nonce.size() != Nonce::size_bytes) return nonce_size_error(nonce.size());
    const Nonce n = Nonce::from(nonce).value();
    if (sealed.size() < aead::AesGcmSiv<256>::tag_bytes)
        return fail(errc::malformed_input, "ciphertext of " + std::to_string(sealed.size()) +
                                                " bytes is shorter than the 16-byte tag");
    Plaintext out(sealed.size() - aead::AesGcmSiv<256>::tag_bytes);
    auto r = with_context(key, [&](auto& ctx) { return ctx.open(n, sealed, aad, out); });
    if (!r) return r.error();   // `out` is wiped by open() and released by the allocator
    return out;
}

/// As `open`, decrypting `sealed` where it lies: returns its first `sealed.size() - 16`
/// bytes, the plaintext. On `errc::authentication_failed` those bytes are wiped.
template <class P>
result<MutableByteView> open_in_place(const keys::AeadKey<P>& key, ByteView nonce, MutableByteView sealed,
                                      ByteView aad) {
    if (nonce.size() != Nonce::size_bytes) return nonce_size_error(nonce.size());
    const Nonce n = Nonce::from(nonce).value();
    if (sealed.size() < aead::AesGcmSiv<256>::tag_bytes)
        return fail(errc::malformed_input, "ciphertext of " + std::to_string(sealed.size()) +
                                                " bytes is shorter than the 16-byte tag");
    const MutableByteView plaintext = sealed.first(sealed.size() - aead::AesGcmSiv<256>::tag_bytes);
    auto r = with_context(key, [&](auto& ctx) { return ctx.open(n, sealed, aad, plaintext); });
    if (!r) return r.error();
    return plaintext;
}

} // namespace detail

/// A fresh random nonce from the system CSPRNG. @par Errors `errc::io_error`.
[[nodiscard]] inline result<Nonce> random_nonce() { return SystemRng{}.generate<Nonce>(); }

/// How an action's nonce is chosen (doc/protocol.md, "Actions and events").
enum class NoncePolicy {
    zero,     ///< all zero: equal actions are equal bytes, so the scheduler deduplicates them
    random,   ///< random: no deduplication, and the scheduler cannot tell equal actions apart
};

/// The nonce `policy` picks: all zero, or fresh from the system's generator. @par Errors `errc::io_error`.
[[nodiscard]] inline result<Nonce> nonce_for(NoncePolicy policy) {
    if (policy == NoncePolicy::random) return random_nonce();
    return Nonce{};
}

/** Seals an action's plaintext into `action.ciphertext` and sets `action.nonce` (doc/protocol.md, "Actions
    and events"): AES-GCM-SIV under the action key, AD = the deterministic encoding of
    `action.additional_data` (which must be set), under a nonce the caller chose:
    `seal_action(key, hazmat::chosen_nonce(nonce), plaintext, action)`.
    @par Errors `errc::invalid_argument` when `additional_data` is missing.
    @par Security A zero nonce makes equal actions (same key, plaintext and AD) equal, so the
    scheduler can deduplicate them and learns that they are equal; use a random nonce when
    even that must stay hidden. */
template <class K>
[[nodiscard]] result<void> seal_action(const K& key, const hazmat::ChosenNonce<Nonce>& nonce, ByteView plaintext,
                                       Action& action) {
    static_assert(std::is_same_v<K, keys::AeadKey<keys::Purpose::Action>>,
                  "sealpipe: seal_action(key, ...) requires an AeadKey<Purpose::Action>; event keys seal events");
    if (!action.additional_data)
        return fail(errc::invalid_argument, "seal_action: the action has no additional_data");
    auto c = detail::seal(key, nonce.value(), plaintext, action.additional_data->encode());
    if (!c) return c.error();
    action.nonce = to_bytes(nonce.value());
    action.ciphertext = std::move(*c);
    return {};
}

/** As above, with the nonce `policy` picks: zero (equal actions are equal, and deduplicated) or
    random (fresh from the system's generator). */
template <class K>
[[nodiscard]] result<void> seal_action(const K& key, ByteView plaintext, Action& action,
                                       NoncePolicy policy = NoncePolicy::zero) {
    constexpr bool action_key = std::is_same_v<K, keys::AeadKey<keys::Purpose::Action>>;
    static_assert(action_key,
                  "sealpipe: seal_action(key, ...) requires an AeadKey<Purpose::Action>; event keys seal events");
    if constexpr (action_key) {
        auto nonce = nonce_for(policy);
        if (!nonce) return nonce.error();
        return seal_action(key, hazmat::chosen_nonce(*nonce), plaintext, action);
    } else {
        return {};
    }
}

/** Opens an action's ciphertext (doc/protocol.md, "Actions and events"), as Bonanza's ActionGetPlaintext: the
    nonce must be 12 bytes and the additional data present, then the AD is the canonical re-encoding
    of the parsed additional data (never the bytes received).
    @par Errors `errc::malformed_input` ("Nonce was N bytes in size, while 12 bytes were
    expected"; "Action does not contain additional data"; a ciphertext shorter than a tag),
    `errc::authentication_failed` (wrong key, or any byte changed).
    @par Security No plaintext is released unless the tag verifies. */
template <class K>
[[nodiscard]] result<Plaintext> open_action(const K& key, const Action& action) {
    static_assert(std::is_same_v<K, keys::AeadKey<keys::Purpose::Action>>,
                  "sealpipe: open_action(key, action) requires an AeadKey<Purpose::Action>; event keys open events");
    if (action.nonce.size() != Nonce::size_bytes) return detail::nonce_size_error(action.nonce.size());
    if (!action.additional_data)
        return fail(errc::malformed_input, "Action does not contain additional data");
    return detail::open(key, action.nonce, action.ciphertext, action.additional_data->encode());
}

/** The SHA-256 of an action's ciphertext: the associated data of every event of that action.
    A party that seals or opens several events of one action computes it once and keeps 32
    bytes instead of the ciphertext (up to the 16 MiB message limit). */
class ActionDigest {
public:
    [[nodiscard]] static ActionDigest of(ByteView action_ciphertext) { return ActionDigest(sha256(action_ciphertext)); }
    [[nodiscard]] ByteView view() const noexcept { return digest_.view(); }

private:
    explicit ActionDigest(const Digest32& d) : digest_(d) {}
    Digest32 digest_;
};

/** Seals an event answering the action whose ciphertext is `action_ciphertext` (doc/protocol.md, "Actions and
    events"): AES-GCM-SIV under the event key, AD = SHA-256(action ciphertext). `K` is
    `AeadKey<Purpose::ExecutionEvent>` or `AeadKey<Purpose::CompletionEvent>`.
    The nonce is fresh and random; it travels in the event.
    @par Errors `errc::io_error` (no randomness). */
template <class K>
[[nodiscard]] result<Event> seal_event(const K& key, ByteView action_ciphertext, ByteView plaintext);

/** As above, under a nonce the caller chose (tests, the CLI's `--nonce`):
    `seal_event(key, action_ciphertext, hazmat::chosen_nonce(nonce), plaintext)`.
    @par Security Never use a nonce for two different events of one action. */
template <class K>
[[nodiscard]] result<Event> seal_event(const K& key, const ActionDigest& action,
                                       const hazmat::ChosenNonce<Nonce>& nonce, ByteView plaintext) {
    static_assert(is_event_purpose_v<typename K::purpose> && std::is_same_v<K, keys::AeadKey<typename K::purpose>>,
                  "sealpipe: seal_event(key, ...) requires an AeadKey<Purpose::ExecutionEvent> or "
                  "AeadKey<Purpose::CompletionEvent>");
    auto c = detail::seal(key, nonce.value(), plaintext, action.view());
    if (!c) return c.error();
    return Event{to_bytes(nonce.value()), std::move(*c)};
}

/// As above, with the action named by its ciphertext.
template <class K>
[[nodiscard]] result<Event> seal_event(const K& key, ByteView action_ciphertext,
                                       const hazmat::ChosenNonce<Nonce>& nonce, ByteView plaintext) {
    return seal_event(key, ActionDigest::of(action_ciphertext), nonce, plaintext);
}

/// As `seal_event(key, action_ciphertext, plaintext)`, with the action's digest computed once.
template <class K>
[[nodiscard]] result<Event> seal_event(const K& key, const ActionDigest& action, ByteView plaintext) {
    auto n = random_nonce();
    if (!n) return n.error();
    return seal_event(key, action, hazmat::chosen_nonce(*n), plaintext);
}

template <class K>
result<Event> seal_event(const K& key, ByteView action_ciphertext, ByteView plaintext) {
    return seal_event(key, ActionDigest::of(action_ciphertext), plaintext);
}

/** Opens an event: it authenticates only under the key of its purpose and for the action
    whose ciphertext is `action_ciphertext`.
    @par Errors `errc::malformed_input` (nonce not 12 bytes, ciphertext shorter than a tag),
    `errc::authentication_failed` (another action, another purpose, any byte changed). */
template <class K>
[[nodiscard]] result<Plaintext> open_event(const K& key, const ActionDigest& action, const Event& event) {
    static_assert(is_event_purpose_v<typename K::purpose> && std::is_same_v<K, keys::AeadKey<typename K::purpose>>,
                  "sealpipe: open_event(key, ...) requires an AeadKey<Purpose::ExecutionEvent> or "
                  "AeadKey<Purpose::CompletionEvent>");
    return detail::open(key, event.nonce, event.ciphertext, action.view());
}

/// As above, with the action named by its ciphertext.
template <class K>
[[nodiscard]] result<Plaintext> open_event(const K& key, ByteView action_ciphertext, const Event& event) {
    return open_event(key, ActionDigest::of(action_ciphertext), event);
}

} // namespace sealpipe::execution

#endif // SEALPIPE_EXECUTION_SEALING_HPP
