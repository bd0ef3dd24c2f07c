// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Message purposes as types (`Purpose::Action`, `Purpose::ExecutionEvent`,
// `Purpose::CompletionEvent`), their compile-time registry, the key-derivation policies
// `RawXor` and `HkdfSha256`, and `AeadKey<Purpose>`, the key of one purpose only.

#ifndef SEALPIPE_KEYS_PURPOSE_HPP
#define SEALPIPE_KEYS_PURPOSE_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/core/kdf.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

namespace sealpipe::keys {

/** The purposes of doc/protocol.md, "Purpose tweak". Each is a distinct type carrying the byte that tweaks
    the shared secret; a key derived for one purpose has a type that no other purpose accepts. */
struct Purpose {
    /// An action, client to worker (tweak 1).
    struct Action {
        static constexpr Byte value = 1;
        static constexpr std::string_view name = "action";
    };
    /// An execution event, worker to client (tweak 2).
    struct ExecutionEvent {
        static constexpr Byte value = 2;
        static constexpr std::string_view name = "execution-event";
    };
    /// The completion event, worker to client (tweak 3).
    struct CompletionEvent {
        static constexpr Byte value = 3;
        static constexpr std::string_view name = "completion-event";
    };
};

/// The registry of purposes: every purpose type, once.
using Purposes = boost::mp11::mp_list<Purpose::Action, Purpose::ExecutionEvent, Purpose::CompletionEvent>;

namespace detail {
template <class P>
using purpose_value = std::integral_constant<int, P::value>;
} // namespace detail

static_assert(boost::mp11::mp_is_set<Purposes>::value, "sealpipe: a purpose is registered twice");
static_assert(boost::mp11::mp_is_set<boost::mp11::mp_transform<detail::purpose_value, Purposes>>::value,
              "sealpipe: two purposes share a tweak value");

/// A registered purpose.
template <class P>
concept PurposeType = boost::mp11::mp_contains<Purposes, P>::value;

/** The raw tweak of doc/protocol.md, "Purpose tweak" (Bonanza wire-compatible): the shared secret with its
    first byte XORed with the purpose. Only 16- and 32-byte secrets qualify (they are the AES key). */
struct RawXor {
    template <std::size_t SecretBytes>
    static constexpr bool accepts = SecretBytes == 16 || SecretBytes == 32;
    template <std::size_t SecretBytes>
    static constexpr std::size_t key_bytes = SecretBytes;

    template <class P>
    static void derive(ByteView secret, MutableByteView key) {
        std::copy(secret.begin(), secret.end(), key.begin());
        key[0] ^= P::value;
    }
};

/** The project's extension (doc/protocol.md, "Keys and key agreement", not Bonanza wire-compatible): key =
    HKDF-SHA-256(IKM = raw secret, salt = empty, info = "sealpipe purpose" ‖ purpose byte, L = 32). Any size. */
struct HkdfSha256 {
    template <std::size_t SecretBytes>
    static constexpr bool accepts = true;
    template <std::size_t SecretBytes>
    static constexpr std::size_t key_bytes = 32;
    static constexpr std::string_view info_prefix = "sealpipe purpose";

    template <class P>
    static void derive(ByteView secret, MutableByteView key) {
        std::array<Byte, info_prefix.size() + 1> info{};
        std::copy(info_prefix.begin(), info_prefix.end(), info.begin());
        info.back() = P::value;
        // 32 bytes never exceed HKDF's maximum: this cannot fail.
        (void)sealpipe::hkdf_sha256(secret, {}, info, key.first(32));
    }
};

/** An AES-GCM-SIV key (16 or 32 bytes) bound to one purpose. Functions that seal or open a
    message of purpose P take `AeadKey<P>` (or constrain with `KeyFor<K, P>`), so a key of
    another purpose does not compile. Wiped when destroyed. */
template <class P>
class AeadKey {
    static_assert(PurposeType<P>, "sealpipe: AeadKey<P> requires P to be Purpose::Action, "
                                  "Purpose::ExecutionEvent or Purpose::CompletionEvent");

public:
    using purpose = P;

    /** Wraps key bytes that were derived elsewhere (16 or 32 bytes).
        @par Errors `errc::invalid_length`. */
    [[nodiscard]] static result<AeadKey> from_raw(hazmat::SecretAccess, ByteView key) {
        if (key.size() != 16 && key.size() != 32)
            return fail(errc::invalid_length, "AEAD key: expected 16 or 32 bytes, got " + std::to_string(key.size()));
        AeadKey k;
        k.size_ = key.size();
        std::copy(key.begin(), key.end(), k.key_.reveal_mutable(hazmat::secret_access()).begin());
        return k;
    }

    /// 16 or 32.
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] ByteView reveal(hazmat::SecretAccess t) const noexcept { return key_.reveal(t).first(size_); }
    /// Constant-time equality.
    [[nodiscard]] bool equals(const AeadKey& o) const noexcept {
        return size_ == o.size_ && constant_time_equal(reveal(hazmat::secret_access()), o.reveal(hazmat::secret_access()));
    }

    template <class Stream>
    friend Stream& operator<<(Stream& os, const AeadKey&) {
        static_assert(sealpipe::detail::dependent_false<Stream>,
                      "sealpipe: a secret cannot be printed; reveal(hazmat::secret_access()) if you must");
        return os;
    }

private:
    template <class>
    friend class SharedSecret;
    AeadKey() = default;
    FixedSecret<32> key_;
    std::size_t size_ = 0;
};

/// `K` is the key of purpose `P`: constrain seal/open functions with it.
template <class K, class P>
concept KeyFor = PurposeType<P> && std::same_as<std::remove_cvref_t<K>, AeadKey<P>>;

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_PURPOSE_HPP
