// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/keys/x509.hpp. The fixture issues its own certificates with OpenSSL:
// an Ed25519 root, a P-256 intermediate, clients (Ed25519, P-256, X25519 keys), expired,
// not-yet-valid, wrong-CA, tampered, non-CA-intermediate and serverAuth-only certificates.
#include <sealpipe/keys/x509.hpp>

#include <sealpipe/keys.hpp>

#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sealpipe;
using namespace sealpipe::keys;

namespace {

constexpr std::int64_t t0 = 1'800'000'000;   // 2027-01-15: "now" in these tests
constexpr std::int64_t day = 86'400;

std::chrono::system_clock::time_point at(std::int64_t unix) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(unix));
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using Pkey = std::shared_ptr<EVP_PKEY>;

Pkey gen(const char* type) {
    EVP_PKEY* p = std::string(type) == "EC" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                            : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    if (!p) throw std::runtime_error("keygen failed");
    return Pkey(p, PkeyFree{});
}

struct Cert {
    std::shared_ptr<X509> x;
    Pkey key;
    Bytes der() const {
        int n = i2d_X509(x.get(), nullptr);
        if (n <= 0) throw std::runtime_error("i2d_X509 failed");
        Bytes out(static_cast<std::size_t>(n));
        unsigned char* p = out.data();
        i2d_X509(x.get(), &p);
        return out;
    }
    std::string pem() const { return pem_write("CERTIFICATE", der()); }
};

void add_ext(X509* x, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!e) throw std::runtime_error("extension");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

struct Spec {
    const char* cn;
    Pkey key;
    const Cert* issuer = nullptr;   // nullptr: self-signed
    std::int64_t not_before = t0 - 30 * day;
    std::int64_t not_after = t0 + 365 * day;
    bool ca = false;
    const char* eku = nullptr;
};

Cert issue(const Spec& s) {
    static long serial = 1;
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    ASN1_TIME_set(X509_getm_notBefore(x), static_cast<time_t>(s.not_before));
    ASN1_TIME_set(X509_getm_notAfter(x), static_cast<time_t>(s.not_after));
    X509_set_pubkey(x, s.key.get());
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(s.cn), -1, -1, 0);
    X509* issuer = s.issuer ? s.issuer->x.get() : x;
    X509_set_issuer_name(x, X509_get_subject_name(issuer));
    add_ext(x, issuer, NID_basic_constraints, s.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, issuer, NID_key_usage, s.ca ? "critical,keyCertSign" : "critical,digitalSignature,keyAgreement");
    if (s.eku) add_ext(x, issuer, NID_ext_key_usage, s.eku);
    EVP_PKEY* signer = s.issuer ? s.issuer->key.get() : s.key.get();
    const EVP_MD* md = EVP_PKEY_get_id(signer) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    if (X509_sign(x, signer, md) <= 0) throw std::runtime_error("sign");
    return Cert{std::shared_ptr<X509>(x, X509_free), s.key};
}

struct Pki {
    Cert root = issue({.cn = "sealpipe test root", .key = gen("ED25519"), .ca = true});
    Cert intermediate = issue({.cn = "sealpipe test intermediate", .key = gen("EC"), .issuer = &root, .ca = true});
    Cert client = issue({.cn = "alice", .key = gen("ED25519"), .issuer = &intermediate, .eku = "clientAuth"});
    TrustStore store = TrustStore::from_pem(root.pem()).value();

    CertificateChain chain(std::initializer_list<const Cert*> certs) const {
        std::vector<Bytes> der;
        for (const Cert* c : certs) der.push_back(c->der());
        return CertificateChain::from_der(der).value();
    }
};

Bytes raw_public(const Pkey& k) {
    std::size_t n = 0;
    EVP_PKEY_get_raw_public_key(k.get(), nullptr, &n);
    Bytes out(n);
    EVP_PKEY_get_raw_public_key(k.get(), out.data(), &n);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(x509)

BOOST_AUTO_TEST_CASE(valid_chain_and_leaf_key) {
    Pki pki;
    const CertificateChain chain = pki.chain({&pki.client, &pki.intermediate});
    auto r = pki.store.verify_client(chain, at(t0));
    BOOST_TEST(r.has_value(), (r ? "" : r.error().message()));
    // The same chain through PEM, leaf first.
    auto pem = CertificateChain::from_pem(pki.client.pem() + pki.intermediate.pem());
    BOOST_TEST_REQUIRE(pem.has_value());
    BOOST_TEST(pem->size() == 2u);
    BOOST_TEST(pki.store.verify_client(*pem, at(t0)).has_value());
    // Including the root in the chain is fine too.
    BOOST_TEST(pki.store.verify_client(pki.chain({&pki.client, &pki.intermediate, &pki.root}), at(t0)).has_value());

    // The leaf's Ed25519 key, and its X25519 form for ECDH.
    auto leaf = chain.leaf_public_key();
    BOOST_TEST_REQUIRE(leaf.has_value());
    BOOST_TEST(leaf->type_name() == "Ed25519");
    const Bytes ed = raw_public(pki.client.key);
    BOOST_TEST(to_bytes(leaf->get<Ed25519>()->raw()) == ed);
    auto agreement = chain.leaf_agreement_key();
    BOOST_TEST_REQUIRE(agreement.has_value());
    BOOST_TEST(agreement->is<X25519>());
    BOOST_TEST((agreement->get<X25519>().value() == to_x25519(leaf->get<Ed25519>().value()).value()));
}

BOOST_AUTO_TEST_CASE(p256_and_x25519_leaves) {
    Pki pki;
    Cert p256 = issue({.cn = "bob", .key = gen("EC"), .issuer = &pki.root, .eku = "clientAuth"});
    auto c = pki.chain({&p256});
    BOOST_TEST(pki.store.verify_client(c, at(t0)).has_value());
    BOOST_TEST(c.leaf_agreement_key()->is<P256>());
    Cert x = issue({.cn = "carol", .key = gen("X25519"), .issuer = &pki.intermediate});
    auto cx = pki.chain({&x, &pki.intermediate});
    BOOST_TEST(pki.store.verify_client(cx, at(t0)).has_value());   // no EKU at all: any use
    BOOST_TEST(to_bytes(cx.leaf_agreement_key()->get<X25519>()->raw()) == raw_public(x.key));
}

BOOST_AUTO_TEST_CASE(validity_periods) {
    Pki pki;
    auto chain = pki.chain({&pki.client, &pki.intermediate});
    auto late = pki.store.verify_client(chain, at(t0 + 400 * day));
    BOOST_TEST((late.error() == errc::certificate_expired));
    BOOST_TEST(late.error().message().find("certificate has expired") != std::string::npos);
    auto early = pki.store.verify_client(chain, at(t0 - 40 * day));
    BOOST_TEST((early.error() == errc::certificate_expired));
    BOOST_TEST(early.error().message().find("not yet valid") != std::string::npos);
    // An expired intermediate with a valid leaf.
    Cert old_ca = issue({.cn = "old intermediate", .key = gen("EC"), .issuer = &pki.root,
                         .not_after = t0 - day, .ca = true});
    Cert leaf = issue({.cn = "dave", .key = gen("ED25519"), .issuer = &old_ca, .eku = "clientAuth"});
    BOOST_TEST((pki.store.verify_client(pki.chain({&leaf, &old_ca}), at(t0)).error() == errc::certificate_expired));
}

BOOST_AUTO_TEST_CASE(untrusted_chains) {
    Pki pki;
    // Another CA, with its own name.
    Cert other_root = issue({.cn = "other root", .key = gen("ED25519"), .ca = true});
    Cert other_leaf = issue({.cn = "alice", .key = gen("ED25519"), .issuer = &other_root, .eku = "clientAuth"});
    auto wrong = pki.store.verify_client(pki.chain({&other_leaf}), at(t0));
    BOOST_TEST((wrong.error() == errc::untrusted_certificate));
    BOOST_TEST(wrong.error().message().find("unable to get local issuer certificate") != std::string::npos);
    // Another CA under the same name: the signature gives it away.
    Pki other;
    auto impostor = pki.store.verify_client(other.chain({&other.client, &other.intermediate}), at(t0));
    BOOST_TEST((impostor.error() == errc::untrusted_certificate));
    // The intermediate missing.
    BOOST_TEST((pki.store.verify_client(pki.chain({&pki.client}), at(t0)).error() == errc::untrusted_certificate));
    // A tampered signature.
    Bytes der = pki.client.der();
    // at(): g++ 12 at -O3 cannot tell that a certificate is longer than 5 bytes and reports a
    // write before the buffer (-Wstringop-overflow) for the unchecked index.
    der.at(der.size() - 5) ^= 0x01;
    auto tampered = CertificateChain::from_der(std::vector<Bytes>{der, pki.intermediate.der()});
    BOOST_TEST_REQUIRE(tampered.has_value());
    auto t = pki.store.verify_client(*tampered, at(t0));
    BOOST_TEST((t.error() == errc::untrusted_certificate));
    BOOST_TEST(t.error().message().find("signature failure") != std::string::npos);
    // A leaf that is not a CA cannot issue.
    Cert not_ca = issue({.cn = "mallory", .key = gen("EC"), .issuer = &pki.root, .eku = "clientAuth"});
    Cert below = issue({.cn = "eve", .key = gen("ED25519"), .issuer = &not_ca, .eku = "clientAuth"});
    auto nc = pki.store.verify_client(pki.chain({&below, &not_ca}), at(t0));
    BOOST_TEST((nc.error() == errc::untrusted_certificate));
    BOOST_TEST(nc.error().message().find("invalid CA certificate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(extended_key_usage_as_go) {
    Pki pki;
    Cert server = issue({.cn = "server", .key = gen("EC"), .issuer = &pki.intermediate, .eku = "serverAuth"});
    auto s = pki.store.verify_client(pki.chain({&server, &pki.intermediate}), at(t0));
    BOOST_TEST((s.error() == errc::untrusted_certificate));
    BOOST_TEST(s.error().message().find("client authentication") != std::string::npos);
    Cert both = issue({.cn = "both", .key = gen("EC"), .issuer = &pki.intermediate, .eku = "serverAuth,clientAuth"});
    BOOST_TEST(pki.store.verify_client(pki.chain({&both, &pki.intermediate}), at(t0)).has_value());
    Cert any = issue({.cn = "any", .key = gen("EC"), .issuer = &pki.intermediate, .eku = "anyExtendedKeyUsage"});
    BOOST_TEST(pki.store.verify_client(pki.chain({&any, &pki.intermediate}), at(t0)).has_value());
    // An intermediate restricted to serverAuth cannot vouch for a client.
    Cert server_ca = issue({.cn = "server ca", .key = gen("EC"), .issuer = &pki.root, .ca = true, .eku = "serverAuth"});
    Cert leaf = issue({.cn = "frank", .key = gen("ED25519"), .issuer = &server_ca, .eku = "clientAuth"});
    auto i = pki.store.verify_client(pki.chain({&leaf, &server_ca}), at(t0));
    BOOST_TEST((i.error() == errc::untrusted_certificate));
    BOOST_TEST(i.error().message().find("depth 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_input) {
    Pki pki;
    Bytes der = pki.client.der();
    der.push_back(0);
    auto r = CertificateChain::from_der(std::vector<Bytes>{der});
    BOOST_TEST((r.error() == errc::malformed_input));
    BOOST_TEST(r.error().message().find("trailing") != std::string::npos);
    BOOST_TEST((CertificateChain::from_der(std::vector<Bytes>{}).error() == errc::malformed_input));
    BOOST_TEST((CertificateChain::from_der(std::vector<Bytes>{Bytes{0x30, 0x03, 0x02, 0x01, 0x00}}).error() ==
                errc::malformed_input));
    auto key = PrivateKey<P256>::generate().value();
    auto wrong_block = CertificateChain::from_pem(key.public_key().to_pem());
    BOOST_TEST(wrong_block.error().message() == "certificate chain: expected PEM blocks CERTIFICATE, got PUBLIC KEY");
    BOOST_TEST((TrustStore::from_pem("nothing here").error() == errc::malformed_input));
    std::vector<Bytes> many(17, pki.client.der());
    BOOST_TEST((CertificateChain::from_der(many).error() == errc::size_limit_exceeded));
}

BOOST_AUTO_TEST_SUITE_END()
