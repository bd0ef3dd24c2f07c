// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Shared by the examples: a throwaway client CA and client certificates, issued with OpenSSL
// (examples only: the library verifies certificates, it does not issue them).

#ifndef SEALPIPE_EXAMPLE_COMMON_CERTIFICATES_HPP
#define SEALPIPE_EXAMPLE_COMMON_CERTIFICATES_HPP

#include <sealpipe/core/pem.hpp>
#include <sealpipe/keys.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace sealpipe::example {

// --- setup: a throwaway client CA and Alice's certificate, issued with OpenSSL -------------
inline std::shared_ptr<EVP_PKEY> openssl_key(const keys::AnyPrivateKey& k) {
    const SecureBytes der = k.to_der();
    const unsigned char* p = der.data();
    return {d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())), EVP_PKEY_free};
}

inline std::string issue(const char* cn, const keys::AnyPrivateKey& key, const keys::AnyPrivateKey& signer, X509* issuer_cert,
                  bool ca, X509** out) {
    auto pkey = openssl_key(key), skey = openssl_key(signer);
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pkey.get());
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(issuer_cert ? issuer_cert : x));
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer_cert ? issuer_cert : x, x, nullptr, nullptr, 0);
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, ca ? NID_basic_constraints : NID_ext_key_usage,
                                            ca ? "critical,CA:TRUE" : "clientAuth");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(x, skey.get(), nullptr);   // Ed25519 signer: no digest
    const int n = i2d_X509(x, nullptr);
    Bytes der(static_cast<std::size_t>(n));
    unsigned char* p = der.data();
    i2d_X509(x, &p);
    if (out) *out = x;
    else X509_free(x);
    return pem_write("CERTIFICATE", der);
}

} // namespace sealpipe::example

#endif // SEALPIPE_EXAMPLE_COMMON_CERTIFICATES_HPP
