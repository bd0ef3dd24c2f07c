// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support for the execution tests: a small PKI issued with OpenSSL (a client CA and
// client certificates for keys made by sealpipe), as the keys area's X.509 tests do.

#ifndef SEALPIPE_TEST_UNIT_EXECUTION_PKI_HPP
#define SEALPIPE_TEST_UNIT_EXECUTION_PKI_HPP

#include <sealpipe/keys.hpp>
#include <sealpipe/keys/x509.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sealpipe::test {

inline constexpr std::int64_t t0 = 1'800'000'000;   // 2027-01-15: "now" in these tests
inline constexpr std::int64_t day = 86'400;

inline std::chrono::system_clock::time_point at(std::int64_t unix) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(unix));
}

/// A sealpipe private key as an OpenSSL EVP_PKEY (through PKCS#8 DER).
inline std::shared_ptr<EVP_PKEY> to_openssl(const keys::AnyPrivateKey& k) {
    const SecureBytes der = k.to_der();
    const unsigned char* p = der.data();
    EVP_PKEY* e = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
    if (!e) throw std::runtime_error("d2i_AutoPrivateKey");
    return std::shared_ptr<EVP_PKEY>(e, EVP_PKEY_free);
}

struct TestCert {
    std::shared_ptr<X509> x;
    keys::AnyPrivateKey key;
    Bytes der() const {
        const int n = i2d_X509(x.get(), nullptr);
        Bytes out(static_cast<std::size_t>(n));
        unsigned char* p = out.data();
        i2d_X509(x.get(), &p);
        return out;
    }
    std::string pem() const { return pem_write("CERTIFICATE", der()); }
};

inline void add_extension(X509* x, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!e) throw std::runtime_error("X509V3_EXT_conf_nid");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

/// Issues a certificate for `key`, signed by `issuer` (self-signed when null).
inline TestCert issue(const char* cn, keys::AnyPrivateKey key, const TestCert* issuer, bool ca,
                      std::int64_t not_before = t0 - 30 * day, std::int64_t not_after = t0 + 365 * day) {
    static long serial = 1;
    auto pkey = to_openssl(key);
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    ASN1_TIME_set(X509_getm_notBefore(x), static_cast<time_t>(not_before));
    ASN1_TIME_set(X509_getm_notAfter(x), static_cast<time_t>(not_after));
    X509_set_pubkey(x, pkey.get());
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509* iss = issuer ? issuer->x.get() : x;
    X509_set_issuer_name(x, X509_get_subject_name(iss));
    add_extension(x, iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    if (!ca) add_extension(x, iss, NID_ext_key_usage, "clientAuth");
    auto signer = issuer ? to_openssl(issuer->key) : pkey;
    const EVP_MD* md = EVP_PKEY_get_id(signer.get()) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    if (X509_sign(x, signer.get(), md) <= 0) throw std::runtime_error("X509_sign");
    return TestCert{std::shared_ptr<X509>(x, X509_free), std::move(key)};
}

inline keys::AnyPrivateKey fresh(const char* type) { return keys::AnyPrivateKey::generate(type).value(); }

/// A client CA and a client (Ed25519 by default) with its one-certificate chain.
struct Pki {
    explicit Pki(const char* client_type = "ed25519")
        : ca(issue("client CA", fresh("ed25519"), nullptr, true)),
          client(issue("alice", fresh(client_type), &ca, false)) {}
    TestCert ca;
    TestCert client;
    keys::TrustStore trust() const { return keys::TrustStore::from_pem(ca.pem()).value(); }
    keys::CertificateChain chain() const { return keys::CertificateChain::from_der(std::vector<Bytes>{client.der()}).value(); }
};

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_UNIT_EXECUTION_PKI_HPP
