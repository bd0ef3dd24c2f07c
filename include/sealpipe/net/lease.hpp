// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `LeaseIssuer`: the stateless leases of `storage serve` (doc/protocol.md, "Storage
// services"): a MAC over the instance, the reference and the expiry under a server secret.

#ifndef SEALPIPE_NET_LEASE_HPP
#define SEALPIPE_NET_LEASE_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/object/reference.hpp>

#include <cryptopp/hmac.h>
#include <cryptopp/sha.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sealpipe::net {

/** Issues and checks leases: `0x01 ‖ expiry (ms since the epoch, 8 bytes big-endian) ‖
    HMAC-SHA256(secret, "sealpipe lease v1" ‖ u32be(len(instance)) ‖ instance ‖ reference ‖
    expiry)[0..16)`, 25 bytes. Nothing is kept per lease; a lease is valid while the MAC
    matches (compared in constant time) and the expiry is in the future.

    @par Thread safety `issue` and `check` may run concurrently (the secret is read only). */
class LeaseIssuer {
public:
    static constexpr std::size_t secret_bytes = 32;
    static constexpr std::size_t lease_bytes = 1 + 8 + 16;
    using Secret = FixedSecret<secret_bytes, struct LeaseSecretRole>;
    using Clock = std::chrono::system_clock;

    /** Leases under a fresh random secret: they end with this issuer.
        @par Errors `errc::internal` when the system RNG fails. */
    [[nodiscard]] static result<LeaseIssuer> random(std::string instance) {
        auto s = Secret::generate();
        if (!s) return s.error();
        return LeaseIssuer(std::move(instance), *s);
    }

    /** Leases under a given 32-byte secret, so that several servers (or a restarted one)
        accept each other's leases.
        @par Errors `errc::invalid_length` for a secret that is not 32 bytes. */
    [[nodiscard]] static result<LeaseIssuer> from_secret(std::string instance, const SecretBytes& secret) {
        auto s = Secret::from(secret.reveal(hazmat::secret_access()), "lease secret");
        if (!s) return s.error();
        return LeaseIssuer(std::move(instance), *s);
    }

    /// A lease on `r` that expires at `expiry` (rounded down to the millisecond).
    [[nodiscard]] Bytes issue(const object::Reference& r, Clock::time_point expiry) const {
        const std::uint64_t ms = to_ms(expiry);
        Bytes out(lease_bytes);
        out[0] = 1;
        put_be(out.data() + 1, ms);
        const auto tag = mac(r, ms);
        std::copy(tag.begin(), tag.begin() + 16, out.begin() + 9);
        return out;
    }

    /// The expiry of a lease on `r` that is valid at `now`; nullopt for a forged, malformed,
    /// foreign or expired one.
    [[nodiscard]] std::optional<Clock::time_point> check(const object::Reference& r, ByteView lease,
                                                         Clock::time_point now) const {
        if (lease.size() != lease_bytes || lease[0] != 1) return std::nullopt;
        std::uint64_t ms = 0;
        for (std::size_t i = 0; i < 8; ++i) ms = (ms << 8) | lease[1 + i];
        const auto tag = mac(r, ms);
        if (!constant_time_equal(ByteView(tag.data(), 16), lease.subspan(9, 16))) return std::nullopt;
        const auto expiry = from_ms(ms);
        if (!(now < expiry)) return std::nullopt;
        return expiry;
    }

    [[nodiscard]] const std::string& instance() const noexcept { return instance_; }

private:
    LeaseIssuer(std::string instance, const Secret& secret) : instance_(std::move(instance)), secret_(secret) {}

    static std::uint64_t to_ms(Clock::time_point t) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
        return ms > 0 ? static_cast<std::uint64_t>(ms) : 0;
    }
    static Clock::time_point from_ms(std::uint64_t ms) {
        // Far-future expiries saturate instead of overflowing the clock.
        constexpr std::uint64_t max_ms = std::uint64_t{1} << 52;
        return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
            std::chrono::milliseconds(static_cast<std::int64_t>(ms < max_ms ? ms : max_ms))));
    }
    static void put_be(Byte* p, std::uint64_t v) {
        for (std::size_t i = 8; i-- > 0; v >>= 8) p[i] = static_cast<Byte>(v & 0xff);
    }

    std::array<Byte, 32> mac(const object::Reference& r, std::uint64_t ms) const {
        static constexpr std::string_view label = "sealpipe lease v1";
        const auto key = secret_.reveal(hazmat::secret_access());
        CryptoPP::HMAC<CryptoPP::SHA256> h(key.data(), key.size());
        h.Update(reinterpret_cast<const Byte*>(label.data()), label.size());
        std::array<Byte, 4> len{};
        const auto n = static_cast<std::uint32_t>(instance_.size());
        for (std::size_t i = 0; i < 4; ++i) len[i] = static_cast<Byte>(n >> (24 - 8 * i));
        h.Update(len.data(), len.size());
        h.Update(reinterpret_cast<const Byte*>(instance_.data()), instance_.size());
        h.Update(r.bytes().data(), r.bytes().size());
        std::array<Byte, 8> e{};
        put_be(e.data(), ms);
        h.Update(e.data(), e.size());
        std::array<Byte, 32> out{};
        h.Final(out.data());
        return out;
    }

    std::string instance_;
    Secret secret_;
};

} // namespace sealpipe::net

#endif // SEALPIPE_NET_LEASE_HPP
