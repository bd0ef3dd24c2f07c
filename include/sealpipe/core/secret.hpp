// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Secret storage that wipes itself: `SecretBytes` (any length), `FixedSecret<N>` (keys) and
// the `WipingAllocator` behind them. Reading the raw bytes takes an explicit access token.

#ifndef SEALPIPE_CORE_SECRET_HPP
#define SEALPIPE_CORE_SECRET_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>
#include <sealpipe/core/random.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace sealpipe {

namespace detail {
template <class>
inline constexpr bool dependent_false = false;
} // namespace detail

namespace hazmat {
class SecretAccess;
/// The token that unlocks the raw bytes of a secret. Grep for it in review.
constexpr SecretAccess secret_access() noexcept;
} // namespace hazmat

namespace hazmat {
/// Proof that the caller asked for raw secret bytes on purpose.
class SecretAccess {
    constexpr SecretAccess() noexcept = default;
    friend constexpr SecretAccess secret_access() noexcept;
};
constexpr SecretAccess secret_access() noexcept { return SecretAccess{}; }

/** A nonce (or a keyed pipeline's decoding parameters) that the caller chose, wrapped so that
    the call says so: `client.seal(platform, text, ad, hazmat::chosen_nonce(n))`. Under one key,
    a nonce used twice reveals whether two messages are equal (AES-GCM-SIV) or gives away
    confidentiality and integrity (AES-GCM). The calls that pick nonces themselves need none of
    this. Grep for `hazmat::` in review. */
template <class T>
class ChosenNonce {
public:
    constexpr explicit ChosenNonce(T value) noexcept(std::is_nothrow_move_constructible_v<T>) : value_(std::move(value)) {}
    [[nodiscard]] constexpr const T& value() const noexcept { return value_; }

private:
    T value_;
};

/// Wraps a nonce the caller chose (see `ChosenNonce`).
template <class T>
[[nodiscard]] constexpr ChosenNonce<T> chosen_nonce(T value) noexcept(std::is_nothrow_move_constructible_v<T>) {
    return ChosenNonce<T>(std::move(value));
}
} // namespace hazmat

/** An allocator that wipes memory before giving it back. Use it for buffers that hold
    plaintext or key material: `std::vector<Byte, WipingAllocator<Byte>>`. */
template <class T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <class U>
    WipingAllocator(const WipingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        detail::secure_wipe(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U>
    friend bool operator==(const WipingAllocator&, const WipingAllocator<U>&) noexcept { return true; }
};

/// A growable byte buffer that wipes every allocation it releases.
using SecureBytes = std::vector<Byte, WipingAllocator<Byte>>;

/** Secret bytes of any length (a shared secret, a decrypted payload's key material).
    Move-only; wiped when destroyed. It cannot be printed or compared with `==`; reading its
    bytes takes `hazmat::secret_access()`. */
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t n) : data_(n) {}
    /// Copies `b` into a new secret. The caller remains responsible for `b`.
    static SecretBytes copy_of(ByteView b) {
        SecretBytes s(b.size());
        std::copy(b.begin(), b.end(), s.data_.begin());
        return s;
    }
    SecretBytes(SecretBytes&&) noexcept = default;
    SecretBytes& operator=(SecretBytes&&) noexcept = default;
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;

    /// An explicit copy.
    SecretBytes clone() const { return copy_of(ByteView(data_)); }

    std::size_t size() const noexcept { return data_.size(); }
    bool empty() const noexcept { return data_.empty(); }

    ByteView reveal(hazmat::SecretAccess) const noexcept { return ByteView(data_); }
    MutableByteView reveal_mutable(hazmat::SecretAccess) noexcept { return MutableByteView(data_); }

    /// Constant-time equality (the lengths are not secret).
    bool equals(const SecretBytes& other) const noexcept {
        return constant_time_equal(ByteView(data_), ByteView(other.data_));
    }

    template <class Stream>
    friend Stream& operator<<(Stream& os, const SecretBytes&) {
        static_assert(detail::dependent_false<Stream>,
                      "sealpipe: a secret cannot be printed; reveal(hazmat::secret_access()) if you must");
        return os;
    }

private:
    SecureBytes data_;
};

/** A secret of exactly N bytes, such as an AES key. Copyable (each copy wipes itself);
    reading the bytes takes `hazmat::secret_access()`. */
template <std::size_t N, class Role = void>
class FixedSecret {
public:
    static constexpr std::size_t size_bytes = N;

    FixedSecret() noexcept = default;
    FixedSecret(const FixedSecret&) noexcept = default;
    FixedSecret& operator=(const FixedSecret&) noexcept = default;
    ~FixedSecret() { detail::secure_wipe(data_.data(), N); }

    /// Copies exactly N bytes; any other length is `errc::invalid_length`.
    [[nodiscard]] static result<FixedSecret> from(ByteView b, std::string_view what = "secret") {
        if (b.size() != N) return length_error(what, N, b.size());
        FixedSecret s;
        std::copy(b.begin(), b.end(), s.data_.begin());
        return s;
    }

    /** A fresh secret from the operating system's CSPRNG: the way to make a key.
        @par Errors `errc::io_error` if the operating system cannot supply randomness. */
    [[nodiscard]] static result<FixedSecret> generate() {
        FixedSecret s;
        if (auto r = SystemRng{}.fill({s.data_.data(), N}); !r) return r.error();
        return s;
    }

    static constexpr std::size_t size() noexcept { return N; }
    ByteView reveal(hazmat::SecretAccess) const noexcept { return {data_.data(), N}; }
    MutableByteView reveal_mutable(hazmat::SecretAccess) noexcept { return {data_.data(), N}; }

    bool equals(const FixedSecret& other) const noexcept {
        return constant_time_equal(ByteView(data_), ByteView(other.data_));
    }

    template <class Stream>
    friend Stream& operator<<(Stream& os, const FixedSecret&) {
        static_assert(detail::dependent_false<Stream>,
                      "sealpipe: a secret cannot be printed; reveal(hazmat::secret_access()) if you must");
        return os;
    }

private:
    std::array<Byte, N> data_{};
};

/// Wipes a buffer now (for stack arrays and scratch space).
inline void wipe(MutableByteView b) noexcept { detail::secure_wipe(b.data(), b.size()); }

} // namespace sealpipe

#endif // SEALPIPE_CORE_SECRET_HPP
