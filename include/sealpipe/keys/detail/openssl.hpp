// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The OpenSSL side of x509.hpp: owning handles, DER parsing of certificates and chain
// verification with X509_STORE_CTX. The only file of the keys area that includes OpenSSL.

#ifndef SEALPIPE_KEYS_DETAIL_OPENSSL_HPP
#define SEALPIPE_KEYS_DETAIL_OPENSSL_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace sealpipe::keys::detail {

struct X509Free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
struct X509StoreFree {
    void operator()(X509_STORE* s) const noexcept { X509_STORE_free(s); }
};
struct X509StoreCtxFree {
    void operator()(X509_STORE_CTX* c) const noexcept { X509_STORE_CTX_free(c); }
};
struct X509StackFree {
    void operator()(STACK_OF(X509)* s) const noexcept { sk_X509_free(s); }   // does not free the elements
};

using X509Ptr = std::unique_ptr<X509, X509Free>;

/// Parsed certificates, in order, sharing ownership across copies of the public objects.
struct X509List {
    std::vector<X509Ptr> certs;
};

/// An X509_STORE holding the configured CA certificates.
struct X509Trust {
    std::unique_ptr<X509_STORE, X509StoreFree> store;
};

/// Parses one DER certificate; nothing may follow it.
[[nodiscard]] inline result<X509Ptr> parse_certificate(ByteView der, std::size_t index) {
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) return fail(errc::size_limit_exceeded, "certificate too large");
    const unsigned char* p = der.data();
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    ERR_clear_error();
    if (!x) return fail(errc::malformed_input, "certificate " + std::to_string(index) + ": not a DER X.509 certificate");
    if (p != der.data() + der.size())
        return fail(errc::malformed_input, "certificate " + std::to_string(index) + ": trailing bytes after the DER");
    return x;
}

/// The DER SubjectPublicKeyInfo of a certificate, as it is encoded in it.
[[nodiscard]] inline result<Bytes> certificate_spki(X509* x) {
    X509_PUBKEY* pk = X509_get_X509_PUBKEY(x);
    int n = pk ? i2d_X509_PUBKEY(pk, nullptr) : -1;
    if (n <= 0) {
        ERR_clear_error();
        return fail(errc::malformed_input, "certificate: cannot read its public key");
    }
    Bytes out(static_cast<std::size_t>(n));
    unsigned char* p = out.data();
    if (i2d_X509_PUBKEY(pk, &p) != n) {
        ERR_clear_error();
        return fail(errc::internal, "certificate: cannot encode its public key");
    }
    return out;
}

/** Verifies `chain` (leaf first) against `trust` at `at` (seconds since the epoch):
    OpenSSL builds the path (intermediates from the chain), checks signatures, validity
    periods and CA basic constraints. Any configured certificate is a trust anchor
    (X509_V_FLAG_PARTIAL_CHAIN, as Go's x509.CertPool roots). Then the extended key usage
    rule of Go's Verify with ExtKeyUsageClientAuth: every certificate of the built path that
    lists extended key usages must list clientAuth or anyExtendedKeyUsage. */
[[nodiscard]] inline result<void> verify_chain(const X509Trust& trust, const X509List& chain, std::int64_t at) {
    if (chain.certs.empty()) return fail(errc::malformed_input, "empty certificate chain");
    std::unique_ptr<STACK_OF(X509), X509StackFree> untrusted(sk_X509_new_null());
    std::unique_ptr<X509_STORE_CTX, X509StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (!untrusted || !ctx) throw std::bad_alloc();
    for (std::size_t i = 1; i < chain.certs.size(); ++i)
        if (sk_X509_push(untrusted.get(), chain.certs[i].get()) <= 0) throw std::bad_alloc();
    if (X509_STORE_CTX_init(ctx.get(), trust.store.get(), chain.certs[0].get(), untrusted.get()) != 1) {
        ERR_clear_error();
        return fail(errc::internal, "X509_STORE_CTX_init failed");
    }
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_PARTIAL_CHAIN);
    X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(at));   // sets X509_V_FLAG_USE_CHECK_TIME
    const int ok = X509_verify_cert(ctx.get());
    ERR_clear_error();
    if (ok != 1) {
        const int err = X509_STORE_CTX_get_error(ctx.get());
        const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
        std::string why = std::string(X509_verify_cert_error_string(err)) + " (certificate at depth " +
                          std::to_string(depth) + ")";
        if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID)
            return fail(errc::certificate_expired, std::move(why));
        return fail(errc::untrusted_certificate, std::move(why));
    }
    STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(ctx.get());
    for (int i = 0; i < sk_X509_num(path); ++i) {
        X509* x = sk_X509_value(path, i);
        if ((X509_get_extension_flags(x) & EXFLAG_XKUSAGE) == 0) continue;
        if ((X509_get_extended_key_usage(x) & (XKU_SSL_CLIENT | XKU_ANYEKU)) == 0)
            return fail(errc::untrusted_certificate, "certificate at depth " + std::to_string(i) +
                                                          " is not valid for client authentication "
                                                          "(its extended key usage lacks clientAuth)");
    }
    return {};
}

/// A store of CA certificates.
[[nodiscard]] inline result<X509Trust> make_trust(const X509List& cas) {
    X509Trust t{std::unique_ptr<X509_STORE, X509StoreFree>(X509_STORE_new())};
    if (!t.store) throw std::bad_alloc();
    for (const auto& c : cas.certs)
        if (X509_STORE_add_cert(t.store.get(), c.get()) != 1) {
            ERR_clear_error();
            return fail(errc::malformed_input, "cannot add a CA certificate to the store");
        }
    return t;
}

} // namespace sealpipe::keys::detail

#endif // SEALPIPE_KEYS_DETAIL_OPENSSL_HPP
