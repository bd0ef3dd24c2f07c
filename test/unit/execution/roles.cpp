// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/execution/sealing.hpp, client.hpp and worker.hpp: round trips on every
// usable curve, key rotation, proof of possession, precise rejections (untrusted, expired,
// unknown platform key, authentication), tampering of any byte, events bound to their
// action and purpose, the canonical re-encoding of the AD, and Bonanza's vector.
#include <sealpipe/execution/worker.hpp>

#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/sealing.hpp>

#include "support/vectors.hpp"
#include "unit/execution/pki.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

using namespace sealpipe;
using namespace sealpipe::execution;
using namespace std::chrono_literals;
using sealpipe::test::at;
using sealpipe::test::fresh;
using sealpipe::test::Pki;
using sealpipe::test::t0;

namespace {

// The types keep keys in their lane (the compile-fail tests show the misuse).
static_assert(is_event_purpose_v<keys::Purpose::ExecutionEvent> && is_event_purpose_v<keys::Purpose::CompletionEvent>);
static_assert(!is_event_purpose_v<keys::Purpose::Action>);

const ByteView plaintext = as_bytes("root link 3f2a...: run `wc -w`");

AdditionalData ad(std::int64_t seconds = 600) { return AdditionalData{Bytes{1, 2, 3}, Duration::from_seconds(seconds)}; }

Worker make_worker(const Pki& pki, std::vector<keys::AnyPrivateKey> platform, std::chrono::nanoseconds max = 3600s) {
    return Worker::create(std::move(platform), pki.trust(), max).value();
}

/// A plaintext whose ciphertext field's length takes three varint bytes.
Bytes long_plaintext() {
    Bytes large(300000);
    for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<Byte>(i * 7);
    return large;
}

Client make_client(const Pki& pki) { return Client::create(pki.chain(), pki.client.key).value(); }

using sealpipe::test::text;

} // namespace

BOOST_AUTO_TEST_SUITE(roles)

BOOST_AUTO_TEST_CASE(round_trip_on_every_curve) {
    for (const char* client_type : {"ed25519", "x25519", "p256"}) {
        for (const char* platform_type : {"x25519", "ed25519", "p256"}) {
            const bool p256 = std::string(client_type) == "p256";
            if (p256 != (std::string(platform_type) == "p256")) continue;   // curves must agree
            BOOST_TEST_CONTEXT(client_type << " client, " << platform_type << " platform") {
                Pki pki(client_type);
                auto platform = fresh(platform_type);
                Worker worker = make_worker(pki, {platform});
                auto sealed = make_client(pki).seal(platform.public_key(), plaintext, ad());
                BOOST_TEST_REQUIRE(sealed.has_value(), (sealed ? "" : sealed.error().message()));
                // An Ed25519 platform key is named by its X25519 form (doc/protocol.md#actions-and-events).
                BOOST_TEST(sealed->action().platform_pkix_public_key == worker.platform_public_keys()[0]);
                BOOST_TEST(sealed->action().nonce == Bytes(12, 0));

                auto opened = worker.open(sealed->bytes(), at(t0));
                BOOST_TEST_REQUIRE(opened.has_value(), (opened ? "" : opened.error().message()));
                BOOST_TEST(text(opened->plaintext) == std::string(as_chars(plaintext)));
                BOOST_TEST((opened->additional_data == ad()));

                auto running = opened->responder.execution_event(as_bytes("compiling"));
                auto done = opened->responder.completion_event(as_bytes("outputs at 9bc1..."));
                BOOST_TEST_REQUIRE((running && done));
                BOOST_TEST(text(sealed->open_execution_event(running->encode()).value()) == "compiling");
                BOOST_TEST(text(sealed->open_completion_event(done->encode()).value()) == "outputs at 9bc1...");
                // Each purpose opens only with its own key.
                BOOST_TEST((sealed->open_completion_event(*running).error() == errc::authentication_failed));
                BOOST_TEST((sealed->open_execution_event(*done).error() == errc::authentication_failed));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(nonce_policies) {
    Pki pki;
    auto platform = fresh("x25519");
    const Client client = make_client(pki);
    auto a = client.seal(platform.public_key(), plaintext, ad()).value();
    auto b = client.seal(platform.public_key(), plaintext, ad()).value();
    BOOST_TEST(a.bytes() == b.bytes());   // zero nonce: equal actions are equal bytes
    auto r1 = client.seal(platform.public_key(), plaintext, ad(), NoncePolicy::random).value();
    auto r2 = client.seal(platform.public_key(), plaintext, ad(), NoncePolicy::random).value();
    BOOST_TEST(r1.bytes() != r2.bytes());
    BOOST_TEST(r1.action().nonce != Bytes(12, 0));
    Worker worker = make_worker(pki, {platform});
    BOOST_TEST(worker.open(r1.bytes(), at(t0)).has_value());
    // Random event nonces: two events of the same plaintext differ.
    auto opened = worker.open(a.bytes(), at(t0)).value();
    BOOST_TEST(opened.responder.execution_event(as_bytes("x"))->encode() !=
               opened.responder.execution_event(as_bytes("x"))->encode());
}

BOOST_AUTO_TEST_CASE(key_rotation_and_proof_of_possession) {
    Pki pki;
    auto old_key = fresh("x25519"), new_key = fresh("ed25519"), other = fresh("x25519");
    Worker worker = make_worker(pki, {new_key, old_key});
    BOOST_TEST(worker.platform_public_keys().size() == 2u);
    const Client client = make_client(pki);
    for (const auto* k : {&old_key, &new_key}) {
        auto sealed = client.seal(k->public_key(), plaintext, ad()).value();
        auto opened = worker.open(sealed.bytes(), at(t0));
        BOOST_TEST_REQUIRE(opened.has_value());
        BOOST_TEST(opened->platform_pkix_public_key == sealed.action().platform_pkix_public_key);
    }
    auto foreign = client.seal(other.public_key(), plaintext, ad()).value();
    BOOST_TEST((worker.open(foreign.bytes(), at(t0)).error() == errc::unknown_platform_key));

    // The scheduler's side of the proof: ECDH(ephemeral, platform public) gives the same zeros.
    auto ephemeral = keys::PrivateKey<keys::X25519>::generate().value();
    for (const Bytes& pkix : worker.platform_public_keys()) {
        auto zeros = worker.prove_possession(pkix, keys::AnyPublicKey(ephemeral.public_key()));
        BOOST_TEST_REQUIRE(zeros.has_value());
        auto platform_pub = keys::PublicKey<keys::X25519>::from_der(pkix).value();
        BOOST_TEST(keys::check_verification_zeros(keys::ecdh(ephemeral, platform_pub).value(), *zeros).has_value());
    }
    BOOST_TEST((worker.prove_possession(other.public_key().to_der(), keys::AnyPublicKey(ephemeral.public_key()))
                    .error() == errc::unknown_platform_key));
}

BOOST_AUTO_TEST_CASE(precise_rejections) {
    Pki pki;
    auto platform = fresh("x25519");
    Worker worker = make_worker(pki, {platform}, 3600s);
    const Client client = make_client(pki);
    auto sealed = client.seal(platform.public_key(), plaintext, ad()).value();

    // Untrusted chain: another CA.
    Pki stranger;
    Worker other_ca = make_worker(stranger, {platform});
    BOOST_TEST((other_ca.open(sealed.bytes(), at(t0)).error() == errc::untrusted_certificate));
    // Expired and not yet valid.
    auto late = worker.open(sealed.bytes(), at(t0 + 400 * test::day));
    BOOST_TEST((late.error() == errc::certificate_expired));
    BOOST_TEST(late.error().message().find("client certificate") != std::string::npos);
    BOOST_TEST((worker.open(sealed.bytes(), at(t0 - 40 * test::day)).error() == errc::certificate_expired));
    // Authentication failure: a changed ciphertext byte, or changed additional data.
    Action a = sealed.action();
    a.ciphertext[0] ^= 1;
    BOOST_TEST((worker.open(a, at(t0)).error() == errc::authentication_failed));
    a = sealed.action();
    a.additional_data->stable_fingerprint[0] ^= 1;
    BOOST_TEST((worker.open(a, at(t0)).error() == errc::authentication_failed));
    // Missing, invalid and too large timeouts.
    a = sealed.action();
    a.additional_data->execution_timeout.reset();
    BOOST_TEST((worker.open(a, at(t0)).error() == errc::malformed_input));
    a.additional_data.reset();
    BOOST_TEST(worker.open(a, at(t0)).error().message() == "Action does not contain additional data");
    auto too_long = client.seal(platform.public_key(), plaintext, ad(7200)).value();
    BOOST_TEST((worker.open(too_long.bytes(), at(t0)).error() == errc::size_limit_exceeded));
    auto negative = client.seal(platform.public_key(), plaintext, ad(-1)).value();
    BOOST_TEST((worker.open(negative.bytes(), at(t0)).error() == errc::invalid_argument));
    auto negative_nanos = client.seal(platform.public_key(), plaintext, AdditionalData{{}, Duration{0, -1}}).value();
    BOOST_TEST((worker.open(negative_nanos.bytes(), at(t0)).error() == errc::invalid_argument));
    // Present but zero is valid (Bonanza's worker accepts it; the action times out at once).
    auto zero = client.seal(platform.public_key(), plaintext, ad(0)).value();
    BOOST_TEST(hex_encode(zero.action().additional_data->encode()) == "0a030102031200");
    auto opened_zero = worker.open(zero.bytes(), at(t0));
    BOOST_TEST_REQUIRE(opened_zero.has_value(), (opened_zero ? "" : opened_zero.error().message()));
    BOOST_TEST((opened_zero->additional_data.execution_timeout == Duration{0, 0}));
    // Nonce sizes, with Bonanza's message.
    for (std::size_t n : {0u, 11u, 13u}) {
        a = sealed.action();
        a.nonce.resize(n);
        auto r = worker.open(a, at(t0));
        BOOST_TEST((r.error() == errc::malformed_input));
        BOOST_TEST(r.error().message() == "Nonce was " + std::to_string(n) + " bytes in size, while 12 bytes were expected");
    }
    // No chain at all; a chain that does not parse.
    a = sealed.action();
    a.client_certificate_chain.clear();
    BOOST_TEST((worker.open(a, at(t0)).error() == errc::malformed_input));
    a.client_certificate_chain = {Bytes{0x30, 0x00}};
    BOOST_TEST((worker.open(a, at(t0)).error() == errc::malformed_input));
    // Not an Action at all.
    BOOST_TEST((worker.open(as_bytes("\x08"), at(t0)).error() == errc::malformed_input));
    // A worker needs keys and a positive maximum.
    BOOST_TEST((Worker::create({}, pki.trust(), 1s).error() == errc::invalid_argument));
    BOOST_TEST((Worker::create({platform}, pki.trust(), 0s).error() == errc::invalid_argument));
    BOOST_TEST((Worker::create({fresh("p384")}, pki.trust(), 1s).error() == errc::unsupported));
    // A client key that is not the leaf's.
    BOOST_TEST((Client::create(pki.chain(), fresh("ed25519")).error() == errc::invalid_key));
    // Curves that cannot agree.
    BOOST_TEST((client.seal(fresh("p256").public_key(), plaintext, ad()).error() == errc::invalid_key));
}

BOOST_AUTO_TEST_CASE(every_flipped_byte_is_detected) {
    // A scheduler that flips any bit of an action or an event is caught.
    Pki pki;
    auto platform = fresh("x25519");
    Worker worker = make_worker(pki, {platform});
    auto sealed = make_client(pki).seal(platform.public_key(), plaintext, ad(), NoncePolicy::random).value();
    const Bytes bytes = sealed.bytes();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        for (Byte bit : {Byte{0x01}, Byte{0x80}}) {
            Bytes bad = bytes;
            bad[i] ^= bit;
            auto r = worker.open(bad, at(t0));
            BOOST_TEST_CONTEXT("byte " << i << " bit " << int(bit)) { BOOST_TEST(!r.has_value()); }
        }
    }
    auto opened = worker.open(bytes, at(t0)).value();
    const Bytes event = opened.responder.completion_event(as_bytes("done"))->encode();
    for (std::size_t i = 0; i < event.size(); ++i) {
        Bytes bad = event;
        bad[i] ^= 0x04;
        BOOST_TEST_CONTEXT("event byte " << i) { BOOST_TEST(!sealed.open_completion_event(bad).has_value()); }
    }
}

BOOST_AUTO_TEST_CASE(sealed_straight_into_the_message_is_the_same_action) {
    Pki pki;
    {
        auto platform = fresh("x25519");
        const Client client = make_client(pki);
        Worker worker = make_worker(pki, {platform});
        const Bytes large = long_plaintext();
        for (ByteView text : {plaintext, ByteView(large), ByteView()}) {
            const auto pending = client.seal(platform.public_key(), text, ad()).value();
            const Bytes direct = client.seal_bytes(platform.public_key(), text, ad()).value();
            BOOST_TEST(direct == pending.bytes());   // zero nonce: byte for byte
            Nonce n;
            n[0] = 9;
            BOOST_TEST(client.seal_bytes(platform.public_key(), text, ad(), hazmat::chosen_nonce(n)).value() ==
                       client.seal(platform.public_key(), text, ad(), hazmat::chosen_nonce(n)).value().bytes());
            auto opened = worker.open(direct, at(t0)).value();
            BOOST_TEST((Bytes(opened.plaintext.begin(), opened.plaintext.end()) == Bytes(text.begin(), text.end())));
        }
        // A platform key on another curve than the client's: the same refusal as `seal`.
        BOOST_TEST((client.seal(fresh("p256").public_key(), plaintext, ad()).error() == errc::invalid_key));
        BOOST_TEST((client.seal_bytes(fresh("p256").public_key(), plaintext, ad()).error() == errc::invalid_key));
    }
}

BOOST_AUTO_TEST_CASE(sealed_and_opened_in_place_is_the_same_action) {
    Pki pki;
    auto platform = fresh("x25519");
    const Client client = make_client(pki);
    Worker worker = make_worker(pki, {platform});
    const Bytes large = long_plaintext();
    for (ByteView text_in : {plaintext, ByteView(large), ByteView()}) {
        BOOST_TEST_CONTEXT(text_in.size() << " bytes") {
            Nonce n;
            n[3] = 7;
            const Bytes expected =
                client.seal_bytes(platform.public_key(), text_in, ad(), hazmat::chosen_nonce(n)).value();
            const std::size_t size = client.sealed_size(platform.public_key(), text_in.size(), ad()).value();
            BOOST_TEST(size == expected.size());
            // The plaintext at the start of a buffer a little longer than needed.
            Bytes buffer(size + 5, 0xee);
            std::copy(text_in.begin(), text_in.end(), buffer.begin());
            const std::size_t sealed = client.seal_in_place(platform.public_key(), buffer, text_in.size(), ad(),
                                                            hazmat::chosen_nonce(n))
                                           .value();
            BOOST_TEST(sealed == size);
            BOOST_TEST((Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(sealed)) == expected));

            // Opened where it lies: the same plaintext, client, timeout and event keys as `open`.
            const auto by_copy = worker.open(expected, at(t0)).value();
            Bytes message = expected;
            const auto in_place = worker.open_in_place(message, at(t0)).value();
            BOOST_TEST((Bytes(in_place.plaintext.begin(), in_place.plaintext.end()) == Bytes(text_in.begin(), text_in.end())));
            BOOST_TEST((in_place.plaintext.data() >= message.data() &&
                        in_place.plaintext.data() + in_place.plaintext.size() <= message.data() + message.size()));
            BOOST_TEST((in_place.additional_data == by_copy.additional_data));
            BOOST_TEST(in_place.platform_pkix_public_key == by_copy.platform_pkix_public_key);
            BOOST_TEST(in_place.client.der() == by_copy.client.der());
            const auto pending = PendingAction::resume(Action::decode(expected).value(), pki.client.key).value();
            const auto done = in_place.responder.completion_event(as_bytes("done")).value();
            BOOST_TEST(text(pending.open_completion_event(done.encode()).value()) == "done");
        }
    }
    // Too short a buffer, or a plaintext longer than it: refused, the buffer as it was.
    Bytes short_buffer(plaintext.begin(), plaintext.end());
    BOOST_TEST((client.seal_in_place(platform.public_key(), short_buffer, plaintext.size(), ad(), hazmat::chosen_nonce(Nonce{}))
                    .error() == errc::invalid_length));
    BOOST_TEST((short_buffer == Bytes(plaintext.begin(), plaintext.end())));
    BOOST_TEST((client.seal_in_place(platform.public_key(), short_buffer, short_buffer.size() + 1, ad(),
                                     hazmat::chosen_nonce(Nonce{}))
                    .error() == errc::invalid_length));
    // The same errors as `open`, in the same order; a changed byte fails and wipes the ciphertext.
    const Bytes good = client.seal_bytes(platform.public_key(), plaintext, ad()).value();
    for (std::size_t i : {std::size_t{0}, good.size() / 2, good.size() - 1}) {
        Bytes bad = good;
        bad[i] ^= 0x10;
        Bytes copy = bad;
        const auto by_copy = worker.open(ByteView(bad), at(t0));
        const auto in_place = worker.open_in_place(copy, at(t0));
        BOOST_TEST_CONTEXT("byte " << i) {
            BOOST_TEST(!in_place.has_value());
            BOOST_TEST((!by_copy.has_value() && in_place.error() == by_copy.error().code()));
            BOOST_TEST(in_place.error().message() == by_copy.error().message());
        }
    }
    // No ciphertext, or one shorter than a tag: the same refusal as `open`.
    for (std::size_t kept : {std::size_t{0}, std::size_t{15}}) {
        Action a = Action::decode(good).value();
        a.ciphertext.resize(kept);
        Bytes bytes = a.encode();
        const auto by_copy = worker.open(a, at(t0));
        const auto in_place = worker.open_in_place(bytes, at(t0));
        BOOST_TEST_CONTEXT(kept << " ciphertext bytes") {
            BOOST_TEST_REQUIRE(!in_place.has_value());
            BOOST_TEST((!by_copy.has_value() && in_place.error() == by_copy.error().code()));
            BOOST_TEST(in_place.error().message() == by_copy.error().message());
        }
    }
    Bytes tampered = good;
    tampered[good.size() - 20] ^= 1;   // inside the ciphertext
    BOOST_TEST((worker.open_in_place(tampered, at(t0)).error() == errc::authentication_failed));
    const std::size_t body = good.size() - plaintext.size() - 16;
    BOOST_TEST(std::all_of(tampered.begin() + static_cast<std::ptrdiff_t>(body), tampered.end() - 16,
                           [](Byte b) { return b == 0; }));
}

BOOST_AUTO_TEST_CASE(an_action_digest_stands_for_its_ciphertext) {
    auto a = keys::PrivateKey<keys::X25519>::generate().value();
    auto b = keys::PrivateKey<keys::X25519>::generate().value();
    const auto secret = keys::ecdh(a, b.public_key()).value();
    const auto key = secret.key_for<keys::Purpose::CompletionEvent>();
    const Bytes ciphertext(1000, 0x5a);
    const auto digest = ActionDigest::of(ciphertext);
    BOOST_TEST((digest.view().size() == 32u &&
                std::equal(digest.view().begin(), digest.view().end(), sha256(ciphertext).view().begin())));
    Nonce n;
    n[11] = 1;
    // The same event either way, and each opens with the other form.
    const Event by_digest = seal_event(key, digest, hazmat::chosen_nonce(n), as_bytes("done")).value();
    const Event by_bytes = seal_event(key, ByteView(ciphertext), hazmat::chosen_nonce(n), as_bytes("done")).value();
    BOOST_TEST(by_digest.encode() == by_bytes.encode());
    BOOST_TEST(text(open_event(key, ByteView(ciphertext), by_digest).value()) == "done");
    BOOST_TEST(text(open_event(key, digest, by_bytes).value()) == "done");
    // Another action's digest does not open it.
    Bytes other = ciphertext;
    other[999] ^= 1;
    BOOST_TEST((open_event(key, ActionDigest::of(other), by_digest).error() == errc::authentication_failed));
}

BOOST_AUTO_TEST_CASE(events_are_bound_to_their_action) {
    Pki pki;
    auto platform = fresh("x25519");
    Worker worker = make_worker(pki, {platform});
    const Client client = make_client(pki);
    auto first = client.seal(platform.public_key(), as_bytes("one"), ad()).value();
    auto second = client.seal(platform.public_key(), as_bytes("two"), ad()).value();
    auto opened = worker.open(first.bytes(), at(t0)).value();
    const Event done = opened.responder.completion_event(as_bytes("result of one")).value();
    BOOST_TEST(first.open_completion_event(done).has_value());
    // Replayed for another action of the same client and platform: refused.
    BOOST_TEST((second.open_completion_event(done).error() == errc::authentication_failed));
    // A bad nonce size in an event.
    Event short_nonce = done;
    short_nonce.nonce.pop_back();
    BOOST_TEST((first.open_completion_event(short_nonce).error() == errc::malformed_input));
    // Resuming from the action bytes and the client key gives the same event keys.
    auto resumed = PendingAction::resume(Action::decode(first.bytes()).value(), pki.client.key);
    BOOST_TEST_REQUIRE(resumed.has_value());
    BOOST_TEST(text(resumed->open_completion_event(done).value()) == "result of one");
    // The worker-side responder from the action alone agrees (the CLI's event seal).
    auto responder = Responder::unverified(platform, first.action()).value();
    BOOST_TEST(text(first.open_execution_event(responder.execution_event(as_bytes("p")).value()).value()) == "p");
    BOOST_TEST((Responder::unverified(fresh("x25519"), first.action()).error() == errc::unknown_platform_key));
}

BOOST_AUTO_TEST_CASE(additional_data_is_re_encoded_canonically) {
    // The AD is the canonical encoding of the parsed message: an action whose
    // additional_data arrives with its fields in reverse order still opens.
    Pki pki;
    auto platform = fresh("x25519");
    auto sealed = make_client(pki).seal(platform.public_key(), plaintext, ad()).value();
    const Action& a = sealed.action();
    codec::protobuf::Writer inner;
    inner.message_field(2, a.additional_data->execution_timeout->encode());
    inner.bytes_field(1, a.additional_data->stable_fingerprint);
    codec::protobuf::Writer outer;
    outer.bytes_field(5, a.ciphertext);
    outer.message_field(4, inner.bytes());
    outer.bytes_field(3, a.nonce);
    for (const Bytes& c : a.client_certificate_chain) outer.bytes_always(2, c);
    outer.bytes_field(1, a.platform_pkix_public_key);
    const Bytes shuffled = outer.take();
    BOOST_TEST(shuffled != sealed.bytes());
    auto opened = make_worker(pki, {platform}).open(shuffled, at(t0));
    BOOST_TEST_REQUIRE(opened.has_value(), (opened ? "" : opened.error().message()));
    BOOST_TEST(text(opened->plaintext) == std::string(as_chars(plaintext)));
}

BOOST_AUTO_TEST_CASE(a_verified_chain_is_reused_within_its_second_only) {
    // The certificate expires at t0 + 1 day (OpenSSL: valid strictly before notAfter), so its last
    // valid second is the one before.
    Pki pki;
    test::TestCert ca = test::issue("CA", fresh("ed25519"), nullptr, true);
    test::TestCert alice = test::issue("alice", fresh("ed25519"), &ca, false, t0 - test::day, t0 + test::day);
    auto platform = fresh("x25519");
    Worker worker = Worker::create({platform}, keys::TrustStore::from_pem(ca.pem()).value(), 3600s).value();
    const Client client =
        Client::create(keys::CertificateChain::from_der(std::vector<Bytes>{alice.der()}).value(), alice.key).value();
    auto sealed = client.seal(platform.public_key(), plaintext, ad()).value();
    const auto last = at(t0 + test::day - 1);
    BOOST_TEST(worker.open(sealed.bytes(), last).has_value());
    BOOST_TEST(worker.open(sealed.bytes(), last + 999ms).has_value());   // the same second: reused
    BOOST_TEST((worker.open(sealed.bytes(), last + 1s).error() == errc::certificate_expired));
    // A copy shares what was verified, never across platform keys or chains.
    Worker copy = worker;
    BOOST_TEST((copy.open(sealed.bytes(), last + 1s).error() == errc::certificate_expired));
    Pki stranger;
    const Client other = make_client(stranger);
    BOOST_TEST((worker.open(other.seal(platform.public_key(), plaintext, ad()).value().bytes(), last).error() ==
                errc::untrusted_certificate));
}

BOOST_AUTO_TEST_CASE(bonanza_missing_nonce_vector) {
    const auto doc = test::load_json("bonanza/encryptedaction_action_test.json");
    for (const auto& c : doc.at("cases").as_array()) {
        BOOST_TEST_CONTEXT(c.at("name").as_string().c_str()) {
            const auto& a = c.at("action").as_object();
            Action action;
            action.platform_pkix_public_key = test::unhex(std::string_view(a.at("platform_pkix_public_key_hex").as_string()));
            action.nonce = test::unhex(std::string_view(a.at("nonce_hex").as_string()));
            const auto& ad_json = a.at("additional_data").as_object();
            action.additional_data = AdditionalData{test::unhex(std::string_view(ad_json.at("stable_fingerprint_hex").as_string())),
                                                    Duration{ad_json.at("execution_timeout").at("seconds").as_int64(), 0}};
            action.ciphertext = test::unhex(std::string_view(a.at("ciphertext_hex").as_string()));
            auto secret = keys::SharedSecret<keys::X25519>::from_raw(
                              hazmat::secret_access(), test::unhex(std::string_view(c.at("shared_secret_hex").as_string())))
                              .value();
            auto r = open_action(secret.key_for<keys::Purpose::Action>(), action);
            BOOST_TEST_REQUIRE(!r.has_value());
            BOOST_TEST((r.error() == errc::malformed_input));   // gRPC InvalidArgument
            BOOST_TEST(r.error().message() == std::string(c.at("error").at("message").as_string()));
            // With a 12-byte nonce the same call reaches the decryption (and fails there: the
            // vector holds no usable ciphertext).
            action.nonce = Bytes(12, 0);
            BOOST_TEST((open_action(secret.key_for<keys::Purpose::Action>(), action).error() ==
                        errc::authentication_failed));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
