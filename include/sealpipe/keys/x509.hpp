// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Client certificates (doc/protocol.md, "Client certificates"): `CertificateChain` (leaf first, PEM or DER)
// and
// `TrustStore` (configured CAs) verifying a chain for client authentication at a given
// time, with OpenSSL's X.509 path validation. Needs the sealpipe::x509 component.

#ifndef SEALPIPE_KEYS_X509_HPP
#define SEALPIPE_KEYS_X509_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/pem.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/detail/openssl.hpp>
#include <sealpipe/keys/key.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sealpipe::keys {

/// The largest chain sealpipe reads (a client chain is leaf, intermediates, maybe a root).
inline constexpr std::size_t max_chain_certificates = 16;
/// The most CA certificates a TrustStore reads.
inline constexpr std::size_t max_ca_certificates = 4096;

/** A certificate chain, leaf first, parsed but not yet trusted. */
class CertificateChain {
public:
    /** Reads DER certificates, leaf first.
        @par Errors `errc::malformed_input` (not a certificate, trailing bytes, empty chain),
        `errc::size_limit_exceeded` (more than 16 certificates). */
    [[nodiscard]] static result<CertificateChain> from_der(std::span<const Bytes> certs) {
        return build(certs, max_chain_certificates);
    }

    /** Reads concatenated PEM "CERTIFICATE" blocks, leaf first.
        @par Errors `errc::malformed_input` (bad PEM, a block of another type), as from_der. */
    [[nodiscard]] static result<CertificateChain> from_pem(std::string_view pem) {
        return build_pem(pem, max_chain_certificates);
    }

    /// The DER certificates, leaf first (as an Action's client_certificate_chain carries them).
    [[nodiscard]] const std::vector<Bytes>& der() const noexcept { return der_; }
    [[nodiscard]] std::size_t size() const noexcept { return der_.size(); }

    /** The leaf's public key as written in it (any supported type).
        @par Errors `errc::unsupported` (RSA and other types), `errc::invalid_key`. */
    [[nodiscard]] result<AnyPublicKey> leaf_public_key() const {
        auto spki = detail::certificate_spki(list_->certs.front().get());
        if (!spki) return spki.error();
        return AnyPublicKey::from_der(*spki);
    }

    /** The leaf's key as the client's ECDH key (doc/protocol.md, "Client certificates"): Ed25519 is converted
        to X25519. */
    [[nodiscard]] result<AnyPublicKey> leaf_agreement_key() const {
        auto k = leaf_public_key();
        if (!k) return k.error();
        return k->to_agreement_key();
    }

private:
    friend class TrustStore;

    static result<CertificateChain> build(std::span<const Bytes> certs, std::size_t limit) {
        if (certs.empty()) return fail(errc::malformed_input, "empty certificate chain");
        if (certs.size() > limit)
            return fail(errc::size_limit_exceeded, "certificate chain: more than " +
                                                        std::to_string(limit) + " certificates");
        auto list = std::make_shared<detail::X509List>();
        for (std::size_t i = 0; i < certs.size(); ++i) {
            auto x = detail::parse_certificate(certs[i], i);
            if (!x) return x.error();
            list->certs.push_back(std::move(*x));
        }
        return CertificateChain(std::vector<Bytes>(certs.begin(), certs.end()), std::move(list));
    }

    static result<CertificateChain> build_pem(std::string_view pem, std::size_t limit) {
        auto blocks = pem_parse(pem);
        if (!blocks) return blocks.error();
        std::vector<Bytes> der;
        for (const auto& b : *blocks) {
            if (b.type != "CERTIFICATE")
                return fail(errc::malformed_input, "certificate chain: expected PEM blocks CERTIFICATE, got " + b.type);
            der.emplace_back(b.der.begin(), b.der.end());
        }
        return build(der, limit);
    }

    CertificateChain(std::vector<Bytes> der, std::shared_ptr<detail::X509List> list)
        : der_(std::move(der)), list_(std::move(list)) {}
    std::vector<Bytes> der_;
    std::shared_ptr<detail::X509List> list_;
};

/** The CA certificates a worker trusts. Cheap to copy, safe to share between threads. */
class TrustStore {
public:
    /** Reads CA certificates from concatenated PEM "CERTIFICATE" blocks. Each is a trust
        anchor, whether self-signed or not (as Go's x509.CertPool). */
    [[nodiscard]] static result<TrustStore> from_pem(std::string_view pem) {
        auto c = CertificateChain::build_pem(pem, max_ca_certificates);
        if (!c) return std::move(c.error()).context("CA certificates");
        return from(*c);
    }
    /// Reads DER CA certificates.
    [[nodiscard]] static result<TrustStore> from_der(std::span<const Bytes> certs) {
        auto c = CertificateChain::build(certs, max_ca_certificates);
        if (!c) return std::move(c.error()).context("CA certificates");
        return from(*c);
    }

    /** Verifies a client chain at time `at` (doc/protocol.md, "Client certificates"): it chains to a
        configured CA, every certificate is within its validity period at `at`, issuers are CAs, signatures
        (Ed25519, ECDSA, RSA) verify, and every certificate that lists extended key usages
        lists clientAuth or anyExtendedKeyUsage (Go's rule for ExtKeyUsageClientAuth).
        @par Errors `errc::certificate_expired` (outside a validity period),
        `errc::untrusted_certificate` (anything else, with OpenSSL's reason). */
    [[nodiscard]] result<void> verify_client(const CertificateChain& chain,
                                             std::chrono::system_clock::time_point at) const {
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
        return detail::verify_chain(*trust_, *chain.list_, static_cast<std::int64_t>(secs));
    }

private:
    static result<TrustStore> from(const CertificateChain& c) {
        auto t = detail::make_trust(*c.list_);
        if (!t) return t.error();
        return TrustStore(std::make_shared<detail::X509Trust>(std::move(*t)));
    }
    explicit TrustStore(std::shared_ptr<detail::X509Trust> t) : trust_(std::move(t)) {}
    std::shared_ptr<detail::X509Trust> trust_;
};

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_X509_HPP
