// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/sqooler/provider.hpp (+ sqooler/sqlite.hpp, sqooler/redis.hpp): one
// conformance suite over the folder, SQLite and Redis document stores; sqooler's folder layout
// byte for byte; signing, verification and the tamper cases (altered result, update by another
// key, a different key under a published kid, a result copied to another job or backend);
// who may sign (the config's key only, never a key for an unsigned backend); key rotation
// agreed by both keys and the signed path from the old key's config to the new key's; stored
// forms that always read back; status only for live jobs; one name limit on every store.
// Races between processes are tested through the tool (test/cli/test_provider.py).
#include <sealpipe/sqooler/provider.hpp>
#include <sealpipe/sqooler/redis.hpp>
#include <sealpipe/sqooler/sqlite.hpp>

#include "support/print_error.hpp"
#include "support/storage.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <string>
#include <thread>

using namespace sealpipe;
using namespace sealpipe::jose;
using namespace sealpipe::sqooler;

namespace {

constexpr std::string_view provider_config_json =
    R"({"description": "Fermions in a tweezer", "version": "0.1.2", "display_name": "fermions", )"
    R"("cold_atom_type": "fermion", "gates": [], "max_experiments": 1000, "max_shots": 1000000, "simulator": true, )"
    R"("supported_instructions": ["load", "measure"], "num_wires": 8, "wire_order": "interleaved", "num_species": 2, )"
    R"("pending_jobs": null, "status_msg": null, "last_queue_check": null, "sign": true, "kid": null, "operational": true})";

constexpr std::string_view provider_job_json =
    R"({"experiment_0": {"instructions": [{"name": "load", "wires": [0], "params": []}], )"
    R"("num_wires": 1, "shots": 4, "wire_order": "sequential", "seed": null}})";

BackendConfig make_config(bool sign) {
    auto c = from_json<BackendConfig>(parse_python_json(provider_config_json).value()).value();
    c.sign = sign;
    return c;
}

ResultDocument make_result(const std::string& job_id, std::string memory = "1 0") {
    ResultDocument r;
    r.display_name = "fermions";
    r.backend_version = "0.1.2";
    r.job_id = job_id;
    r.success = true;
    r.status = "DONE";
    ExperimentResult e;
    e.shots = 1;
    e.success = true;
    e.data.memory = {std::move(memory)};
    e.header["name"] = "experiment_0";
    r.results.push_back(e);
    return r;
}

/// In memory where there is a tmpfs: the folder store syncs every write.
std::string scratch_parent() {
    return ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : std::filesystem::temp_directory_path().string();
}

struct FolderFixture {
    test::TempDir dir{scratch_parent()};
    FolderDocuments documents() { return FolderDocuments(dir.path()); }
};
struct SqliteFixture {
    test::TempDir dir{scratch_parent()};
    SqliteDocuments documents() { return SqliteDocuments::open(dir.path() + "/provider.db").value(); }
};
struct RedisFixture {
    std::string prefix = "provider-test-" + std::to_string(counter()++) + ":";
    static int& counter() {
        static int n = 0;
        return n;
    }
    RedisDocuments documents() {
        auto config = io::redis::Config::from_uri(test::RedisServer::shared().uri()).value();
        config.prefix = prefix;
        return RedisDocuments(std::move(config));
    }
};

using Fixtures = boost::mpl::list<FolderFixture, SqliteFixture, RedisFixture>;

template <class D>
std::string read_doc(D& docs, const std::string& path) {
    auto r = docs.get(path);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST_REQUIRE(r->has_value());
    return **r;
}

} // namespace

namespace {

/// A provider with Bob's key published and his signing config stored.
template <class F>
struct Signed {
    F f;
    Provider<decltype(std::declval<F&>().documents())> p{f.documents()};
    PrivateJwk bob = PrivateJwk::generate("bob-key").value();
    Signed() {
        BOOST_TEST_REQUIRE(p.upload_public_key(bob.public_jwk()).has_value());
        BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(true), &bob).has_value());
    }
};

Job one_job() { return from_json<Job>(parse_python_json(provider_job_json).value()).value(); }

StatusMessage make_status(const std::string& job_id, std::string status) {
    StatusMessage s;
    s.job_id = job_id;
    s.status = std::move(status);
    s.detail = "detail";
    s.error_message = "None";
    return s;
}

/// A config that names no backend (the provider sets the one it is stored for).
BackendConfig unnamed_config(bool sign) {
    auto c = make_config(sign);
    c.display_name.reset();
    return c;
}

/// A config whose `gates` nest `levels` arrays deep.
BackendConfig deep_config(bool sign, std::size_t levels) {
    auto c = unnamed_config(sign);
    boost::json::value v = boost::json::array();
    for (std::size_t i = 1; i < levels; ++i) v = boost::json::array{std::move(v)};
    c.gates = std::move(v.as_array());
    return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(provider)

BOOST_AUTO_TEST_CASE_TEMPLATE(document_store_laws, F, Fixtures) {
    F f;
    auto d = f.documents();
    BOOST_TEST(!d.get("a/b/x").value().has_value());
    BOOST_TEST(d.list("a/b").value().empty());
    BOOST_TEST(d.put("a/b/x", "{\"v\": 1}").has_value());
    BOOST_TEST(d.put("a/b/x", "{\"v\": 2}").has_value());
    BOOST_TEST(read_doc(d, "a/b/x") == "{\"v\": 2}");
    BOOST_TEST(d.put_if_absent("a/b/y", "{}").value() == true);
    BOOST_TEST(d.put_if_absent("a/b/y", "{\"other\": 1}").value() == false);
    BOOST_TEST(read_doc(d, "a/b/y") == "{}");
    // compare and swap: only over the very bytes expected
    BOOST_TEST(d.put_if_unchanged("a/b/y", "{\"v\": 9}", "{\"w\": 1}").value() == false);
    BOOST_TEST(read_doc(d, "a/b/y") == "{}");
    BOOST_TEST(d.put_if_unchanged("a/b/y", "{}", "{\"w\": 1}").value() == true);
    BOOST_TEST(read_doc(d, "a/b/y") == "{\"w\": 1}");
    BOOST_TEST(d.put_if_unchanged("a/b/none", "{}", "{}").value() == false);
    BOOST_TEST(d.put_if_unchanged("q/none", "{}", "{}").value() == false);
    BOOST_TEST(!d.get("a/b/none").value().has_value());
    BOOST_TEST(d.put("a/b/c/deeper", "{}").has_value());
    BOOST_TEST(d.put("a/bb/z", "{}").has_value());
    const std::vector<std::string> expected{"x", "y"};
    BOOST_TEST(d.list("a/b").value() == expected, boost::test_tools::per_element());
    BOOST_TEST(d.move("a/b/x", "c/x").value() == true);
    BOOST_TEST(d.move("a/b/x", "c/x").value() == false);
    BOOST_TEST(!d.get("a/b/x").value().has_value());
    BOOST_TEST(read_doc(d, "c/x") == "{\"v\": 2}");
    BOOST_TEST(d.list("a/b").value() == std::vector<std::string>{"y"}, boost::test_tools::per_element());
    BOOST_TEST(d.list("c").value() == std::vector<std::string>{"x"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(signed_workflow, F, Fixtures) {
    F f;
    Provider p(f.documents());
    const auto bob = PrivateJwk::generate("bob-key").value();
    // A signing config needs the key published first.
    BOOST_TEST(p.upload_config("fermions", make_config(true), &bob).error() == errc::object_not_found);
    BOOST_TEST(p.upload_public_key(bob.public_jwk()).has_value());
    BOOST_TEST(p.upload_public_key(bob.public_jwk()).has_value()); // the same key again is fine
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(true), &bob).has_value());
    // A second upload is refused (sqooler: FileExistsError), as a conflict with what is stored.
    BOOST_TEST(p.upload_config("fermions", make_config(true), &bob).error() == errc::conflict);
    // sign without a key is refused
    BOOST_TEST(p.upload_config("other", make_config(true), nullptr).error() == errc::invalid_argument);
    BOOST_TEST(p.list_backends().value() == std::vector<std::string>{"fermions"}, boost::test_tools::per_element());

    const auto config = p.get_config("fermions").value();
    BOOST_TEST(config.sign);
    BOOST_TEST(config.kid.value_or("") == "bob-key");
    BOOST_TEST(config.display_name.value_or("") == "fermions");
    BOOST_TEST(p.verify_config("fermions").value().payload().kid.value_or("") == "bob-key");
    BOOST_TEST(p.get_public_key("fermions").value().kid() == "bob-key");

    const auto job = one_job();
    const std::string id1 = p.upload_job("fermions", job).value();
    const std::string id2 = p.upload_job("fermions", job).value();
    BOOST_TEST(id1.size() == 24u);
    BOOST_TEST(id1 != id2);
    // a queued job may get a status (sqooler's INITIALIZING)
    BOOST_TEST(p.upload_status("fermions", make_status(id1, "INITIALIZING"), &bob).has_value());
    std::set<std::string> taken;
    for (int i = 0; i < 2; ++i) {
        auto next = p.next_job_in_queue("fermions").value();
        BOOST_TEST_REQUIRE(next.has_value());
        BOOST_TEST(next->job_json_path == "jobs/running");
        BOOST_TEST(python_dumps(to_json(p.get_running_job(next->job_id).value())).value() == std::string(provider_job_json));
        taken.insert(next->job_id);
    }
    BOOST_TEST((taken == std::set<std::string>{id1, id2}));
    BOOST_TEST(!p.next_job_in_queue("fermions").value().has_value());
    BOOST_TEST(p.upload_status("fermions", make_status(id1, "RUNNING"), &bob).has_value());
    BOOST_TEST(p.verify_status("fermions", id1).value().payload().status == "RUNNING");

    const auto res = make_result(id1);
    BOOST_TEST_REQUIRE(p.update_in_database("fermions", make_status(id1, "DONE"), &res, &bob).has_value());
    BOOST_TEST(p.documents().get("jobs/finished/fermions/" + id1).value().has_value());
    BOOST_TEST(!p.documents().get("jobs/running/" + id1).value().has_value());
    auto verified = p.verify_result("fermions", id1);
    BOOST_TEST_REQUIRE(verified.has_value());
    BOOST_TEST(verified->payload().job_id == id1);
    BOOST_TEST(verified->kid() == "bob-key");
    BOOST_TEST(p.get_result("fermions", id1).value().results.at(0).data.memory.at(0) == "1 0");
    BOOST_TEST(p.verify_status("fermions", id1).value().payload().status == "DONE");

    // Status ERROR moves the job to jobs/deleted.
    BOOST_TEST(p.update_in_database("fermions", make_status(id2, "ERROR"), nullptr, &bob).has_value());
    BOOST_TEST(p.documents().get("jobs/deleted/" + id2).value().has_value());

    // Signing backend without a key: refused.
    BOOST_TEST(p.upload_result("fermions", id1, res, nullptr).error() == errc::invalid_argument);
    // Missing things.
    BOOST_TEST(p.verify_result("fermions", "nothere").error() == errc::object_not_found);
    BOOST_TEST(p.verify_result("nobody", id1).error() == errc::object_not_found);
    BOOST_TEST(p.get_config("../x").error() == errc::invalid_argument);
    BOOST_TEST(p.upload_job("a/b", job).error() == errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tampering_is_caught, F, Fixtures) {
    Signed<F> s;
    auto& p = s.p;
    const auto& bob = s.bob;
    const auto mallory = PrivateJwk::generate("bob-key").value(); // same kid, other key
    BOOST_TEST_REQUIRE(p.upload_result("fermions", "job1", make_result("job1"), &bob).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").has_value());

    // 1. A result altered in storage.
    const std::string path = "results/fermions/job1";
    const std::string original = read_doc(p.documents(), path);
    std::string stored = original;
    const auto at = stored.find("\"1 0\"");
    BOOST_TEST_REQUIRE(at != std::string::npos);
    stored.replace(at, 5, "\"0 1\"");
    BOOST_TEST_REQUIRE(p.documents().put(path, stored).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").error() == errc::signature_invalid);
    // ... or replaced by one signed with another key, or by an unsigned one.
    BOOST_TEST_REQUIRE(
        p.documents().put(path, python_dumps(boost::json::value(sign_document(make_result("job1"), mallory).value().to_value())).value()).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").error() == errc::signature_invalid);
    BOOST_TEST_REQUIRE(p.documents().put(path, python_dumps(to_json(make_result("job1"))).value()).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").error() == errc::signature_invalid);
    // ... or damaged in ways that are not a signature at all: each is a failed verification,
    // not malformed input from the caller.
    const std::string damaged[] = {
        original.substr(0, original.size() / 2),                                             // truncated
        std::string(original).replace(original.find("\"typ\""), 5, "\"extra\": \"x\", \"typ\""), // extra header member
        std::string(original).replace(original.find("\"signature\": \"") + 14, 88, ""),      // emptied signature
        original.substr(0, original.size() - 1) + ", \"more\": 1}",                           // a fourth member
        std::string(original).replace(original.find("\"payload\": {") + 12, 0, "\"job_id\": \"x\", "), // repeated member
        "[]",
    };
    for (const auto& text : damaged) {
        BOOST_TEST_REQUIRE(p.documents().put(path, text).has_value());
        BOOST_TEST_CONTEXT(text.substr(0, 120)) {
            BOOST_TEST(p.verify_result("fermions", "job1").error() == errc::signature_invalid);
        }
    }

    // 2. A config update with another key under the same kid, and attempts to go unsigned.
    auto updated = make_config(true);
    updated.description = "taken over";
    BOOST_TEST(p.update_config("fermions", updated, &mallory).error() == errc::not_owner);
    auto unsigned_config = make_config(false);
    BOOST_TEST(p.update_config("fermions", unsigned_config, nullptr).error() == errc::not_owner);
    BOOST_TEST(p.update_config("fermions", unsigned_config, &bob).error() == errc::invalid_argument);
    BOOST_TEST(p.get_config("fermions").value().description == "Fermions in a tweezer");
    BOOST_TEST(p.update_config("fermions", updated, &bob).has_value());
    BOOST_TEST(p.get_config("fermions").value().description == "taken over");
    BOOST_TEST(p.verify_config("fermions").has_value());
    BOOST_TEST(p.update_config("nobody", unnamed_config(true), &bob).error() == errc::object_not_found);

    // 3. A different key under the same kid.
    BOOST_TEST(p.upload_public_key(mallory.public_jwk()).error() == errc::key_conflict);
    BOOST_TEST(p.get_public_key_by_kid("bob-key").value().to_json() == bob.public_jwk().to_json());

    // 4. The config copied to another backend does not verify there.
    BOOST_TEST_REQUIRE(p.documents().put("backends/configs/bosons", read_doc(p.documents(), "backends/configs/fermions")).has_value());
    BOOST_TEST(p.verify_config("bosons").error() == errc::signature_invalid);
}

// Issue: a verified result was not bound to its job or backend.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_result_is_bound_to_its_job_and_backend, F, Fixtures) {
    Signed<F> s;
    auto& p = s.p;
    BOOST_TEST_REQUIRE(p.upload_result("fermions", "j1", make_result("j1", "1 1"), &s.bob).has_value());
    BOOST_TEST_REQUIRE(p.upload_result("fermions", "j2", make_result("j2", "0 0"), &s.bob).has_value());
    // j2's signed result copied over j1: the signature holds, but it is j2's.
    BOOST_TEST_REQUIRE(p.documents().put("results/fermions/j1", read_doc(p.documents(), "results/fermions/j2")).has_value());
    auto copied = p.verify_result("fermions", "j1");
    BOOST_TEST(copied.error() == errc::signature_invalid);
    BOOST_TEST(copied.error().message().find("signed for job 'j2'") != std::string::npos);
    BOOST_TEST(p.verify_result("fermions", "j2").has_value());
    // ... and to another backend using the same key (its own signed config, its own name).
    auto bosons = make_config(true);
    bosons.display_name = "bosons";
    BOOST_TEST_REQUIRE(p.upload_config("bosons", bosons, &s.bob).has_value());
    BOOST_TEST_REQUIRE(p.documents().put("results/bosons/j2", read_doc(p.documents(), "results/fermions/j2")).has_value());
    BOOST_TEST(p.verify_result("bosons", "j2").error() == errc::signature_invalid);
    // A status copied to another job of the backend fails as well.
    const std::string id = p.upload_job("fermions", one_job()).value();
    const std::string other = p.upload_job("fermions", one_job()).value();
    BOOST_TEST_REQUIRE(p.upload_status("fermions", make_status(id, "INITIALIZING"), &s.bob).has_value());
    BOOST_TEST_REQUIRE(p.documents().put("status/fermions/" + other, read_doc(p.documents(), "status/fermions/" + id)).has_value());
    BOOST_TEST(p.verify_status("fermions", other).error() == errc::signature_invalid);
    BOOST_TEST(p.verify_status("fermions", id).has_value());
    // The writer refuses to sign a result for another job or backend in the first place.
    BOOST_TEST(p.upload_result("fermions", "j3", make_result("j1"), &s.bob).error() == errc::invalid_argument);
    BOOST_TEST(p.upload_result("bosons", "j1", make_result("j1"), &s.bob).error() == errc::invalid_argument);
    // A config naming another backend is refused too.
    BOOST_TEST(p.upload_config("leptons", bosons, &s.bob).error() == errc::invalid_argument);
}

// Issue: `result upload` accepted any key, and overwrote the owner's valid result.
BOOST_AUTO_TEST_CASE_TEMPLATE(only_the_configs_key_signs, F, Fixtures) {
    Signed<F> s;
    auto& p = s.p;
    const auto eve = PrivateJwk::generate("eve").value();
    const auto same_kid = PrivateJwk::generate("bob-key").value();
    BOOST_TEST_REQUIRE(p.upload_public_key(eve.public_jwk()).has_value());
    BOOST_TEST_REQUIRE(p.upload_result("fermions", "j1", make_result("j1"), &s.bob).has_value());
    const std::string stored = read_doc(p.documents(), "results/fermions/j1");
    BOOST_TEST(p.upload_result("fermions", "j1", make_result("j1", "0 0"), &eve).error() == errc::not_owner);
    BOOST_TEST(p.upload_result("fermions", "j1", make_result("j1", "0 0"), &same_kid).error() == errc::not_owner);
    BOOST_TEST(read_doc(p.documents(), "results/fermions/j1") == stored);
    BOOST_TEST(p.verify_result("fermions", "j1").has_value());
    const std::string id = p.upload_job("fermions", one_job()).value();
    BOOST_TEST(p.upload_status("fermions", make_status(id, "INITIALIZING"), &eve).error() == errc::not_owner);
    BOOST_TEST(!p.documents().get("status/fermions/" + id).value().has_value());
    // The owner may replace it, with a result that verifies.
    BOOST_TEST(p.upload_result("fermions", "j1", make_result("j1", "0 0"), &s.bob).has_value());
    BOOST_TEST(p.verify_result("fermions", "j1").value().payload().results.at(0).data.memory.at(0) == "0 0");
}

// Issue: a key was silently ignored for a config saying "sign": false, and repeated members
// were read with the last value.
BOOST_AUTO_TEST_CASE_TEMPLATE(a_key_is_given_exactly_when_the_backend_signs, F, Fixtures) {
    F f;
    Provider p(f.documents());
    const auto a = PrivateJwk::generate("a").value();
    BOOST_TEST_REQUIRE(p.upload_public_key(a.public_jwk()).has_value());
    BOOST_TEST(p.upload_config("fermions", make_config(false), &a).error() == errc::invalid_argument);
    BOOST_TEST(!p.documents().get("backends/configs/fermions").value().has_value());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(false), nullptr).has_value());
    BOOST_TEST(p.update_config("fermions", make_config(false), &a).error() == errc::invalid_argument);
    BOOST_TEST(p.upload_result("fermions", "j1", make_result("j1"), &a).error() == errc::invalid_argument);
    BOOST_TEST(p.upload_result("fermions", "j1", make_result("j1"), nullptr).has_value());
    // The owner takes the unsigned config by signing it; from then on it is the owner's.
    BOOST_TEST_REQUIRE(p.update_config("fermions", make_config(true), &a).has_value());
    BOOST_TEST(p.update_config("fermions", make_config(false), nullptr).error() == errc::not_owner);
    BOOST_TEST(p.verify_config("fermions").has_value());
    // Stored documents with a repeated member are refused, not read with the last value.
    BOOST_TEST_REQUIRE(p.documents().put("backends/configs/twice", R"({"sign": true, "sign": false})").has_value());
    BOOST_TEST(p.get_config("twice").error() == errc::malformed_input);
}

// Issue: rotate_key(mallory -> Bob's new key) succeeded and blocked Bob's own rotation.
BOOST_AUTO_TEST_CASE_TEMPLATE(key_rotation, F, Fixtures) {
    F f;
    Provider p(f.documents());
    const auto old_key = PrivateJwk::generate("bob-2025").value();
    const auto new_key = PrivateJwk::generate("bob-2026").value();
    const auto stranger = PrivateJwk::generate("bob-2025").value();
    const auto mallory = PrivateJwk::generate("mallory").value();
    const auto mallory_next = PrivateJwk::generate("mallory-2").value();
    BOOST_TEST_REQUIRE(p.upload_public_key(old_key.public_jwk()).has_value());
    BOOST_TEST_REQUIRE(p.upload_public_key(mallory.public_jwk()).has_value());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(true), &old_key).has_value());
    BOOST_TEST_REQUIRE(p.upload_result("fermions", "j1", make_result("j1"), &old_key).has_value());

    BOOST_TEST(p.rotate_key(stranger, new_key).error() == errc::not_owner);
    BOOST_TEST(p.verify_rotation("bob-2025").error() == errc::object_not_found);
    // Mallory rotating her own key, even to a kid of Bob's choosing, touches nothing of Bob's.
    BOOST_TEST_REQUIRE(p.rotate_key(mallory, mallory_next).has_value());
    BOOST_TEST(p.verify_rotation("mallory").value().payload() == mallory_next.public_jwk());
    BOOST_TEST(p.verify_rotation("mallory").value().kid() == "mallory");
    // Mallory cannot name Bob's new key as her successor without Bob's new private key: a
    // statement she signs alone, with her own signature in the new key's place, fails.
    {
        boost::json::object statement;
        statement["statement"] = key_rotation_statement;
        statement["old_kid"] = "mallory-2";
        statement["new_kid"] = "bob-2026";
        statement["new_key"] = new_key.public_jwk().to_value(JwkForm::sqooler);
        statement["new_key_signature"] =
            base64url_encode(sign_sqooler(statement, mallory_next).value().signature(), Base64Padding::padded);
        BOOST_TEST_REQUIRE(p.upload_public_key(new_key.public_jwk()).has_value());
        BOOST_TEST_REQUIRE(p.documents()
                               .put("backends/key_rotations/mallory-2",
                                    sign_sqooler(statement, mallory_next).value().to_json().value())
                               .has_value());
        BOOST_TEST(p.verify_rotation("mallory-2").error() == errc::signature_invalid);
    }
    BOOST_TEST_REQUIRE(p.rotate_key(old_key, new_key).has_value());
    BOOST_TEST(p.rotate_key(old_key, new_key).has_value()); // idempotent
    // One successor per key.
    const auto other = PrivateJwk::generate("bob-2027").value();
    BOOST_TEST(p.rotate_key(old_key, other).error() == errc::key_conflict);
    auto v = p.verify_rotation("bob-2025");
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(v->kid() == "bob-2025");
    BOOST_TEST(v->payload() == new_key.public_jwk());
    BOOST_TEST(p.get_public_key_by_kid("bob-2026").value().to_json() == new_key.public_jwk().to_json());

    // The signed path to the new key: the config signed by the old key is updated with the
    // new one, and never stored unsigned on the way.
    auto next_config = make_config(true);
    next_config.description = "rotated";
    BOOST_TEST(p.update_config("fermions", next_config, &mallory).error() == errc::not_owner);
    BOOST_TEST(p.update_config("fermions", next_config, &old_key).error() == errc::not_owner); // rotated away
    BOOST_TEST(p.upload_result("fermions", "j2", make_result("j2"), &old_key).error() == errc::not_owner);
    BOOST_TEST_REQUIRE(p.update_config("fermions", next_config, &new_key).has_value());
    BOOST_TEST(p.verify_config("fermions").value().kid() == "bob-2026");
    BOOST_TEST(p.verify_config("fermions").value().payload().description == "rotated");
    BOOST_TEST(p.upload_result("fermions", "j2", make_result("j2"), &new_key).has_value());
    BOOST_TEST(p.verify_result("fermions", "j2").has_value());

    // The statement altered in storage no longer verifies.
    std::string stored = read_doc(p.documents(), "backends/key_rotations/bob-2025");
    stored.replace(stored.find("bob-2026\", \"new_key"), 8, "bob-2024");
    BOOST_TEST_REQUIRE(p.documents().put("backends/key_rotations/bob-2025", stored).has_value());
    BOOST_TEST(p.verify_rotation("bob-2025").error() == errc::signature_invalid);
}

// Issue: status updates for unknown or finished jobs succeeded.
BOOST_AUTO_TEST_CASE_TEMPLATE(status_only_for_live_jobs, F, Fixtures) {
    F f;
    Provider p(f.documents());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(false)).has_value());
    BOOST_TEST(p.upload_status("fermions", make_status("unknown", "RUNNING")).error() == errc::object_not_found);
    BOOST_TEST(p.update_in_database("fermions", make_status("unknown", "ERROR"), nullptr).error() == errc::object_not_found);
    const auto res = make_result("unknown");
    BOOST_TEST(p.update_in_database("fermions", make_status("unknown", "DONE"), &res).error() == errc::object_not_found);
    BOOST_TEST(!p.documents().get("status/fermions/unknown").value().has_value());
    BOOST_TEST(!p.documents().get("results/fermions/unknown").value().has_value());

    const std::string id = p.upload_job("fermions", one_job()).value();
    const auto done = make_result(id);
    // queued: a status yes, finishing no
    BOOST_TEST(p.upload_status("fermions", make_status(id, "QUEUED")).has_value());
    BOOST_TEST(p.update_in_database("fermions", make_status(id, "DONE"), &done).error() == errc::conflict);
    BOOST_TEST_REQUIRE(p.next_job_in_queue("fermions").value().has_value());
    BOOST_TEST(p.update_in_database("fermions", make_status(id, "RUNNING"), nullptr).has_value());
    BOOST_TEST_REQUIRE(p.update_in_database("fermions", make_status(id, "DONE"), &done).has_value());
    // finished: its status is final
    BOOST_TEST(p.upload_status("fermions", make_status(id, "RUNNING")).error() == errc::conflict);
    BOOST_TEST(p.update_in_database("fermions", make_status(id, "ERROR"), nullptr).error() == errc::conflict);
    BOOST_TEST(p.update_in_database("fermions", make_status(id, "DONE"), &done).error() == errc::conflict);
    BOOST_TEST(p.get_status("fermions", id).value().status == "DONE");
}

// Issue: documents were stored that no read could give back.
BOOST_AUTO_TEST_CASE_TEMPLATE(what_is_stored_reads_back, F, Fixtures) {
    F f;
    Provider p(f.documents());
    const auto a = PrivateJwk::generate("a").value();
    BOOST_TEST_REQUIRE(p.upload_public_key(a.public_jwk()).has_value());
    // As deep as the limit allows unsigned; once signed it would be a level deeper.
    const auto at_limit = deep_config(false, max_document_depth - 1);  // config object + gates
    BOOST_TEST_REQUIRE(p.upload_config("deep", at_limit, nullptr).has_value());
    BOOST_TEST(p.get_config("deep").has_value());
    BOOST_TEST(p.update_config("deep", deep_config(true, max_document_depth - 1), &a).error() ==
               errc::size_limit_exceeded);
    BOOST_TEST(p.get_config("deep").has_value());
    BOOST_TEST(p.upload_config("deeper", deep_config(true, max_document_depth - 1), &a).error() ==
               errc::size_limit_exceeded);
    BOOST_TEST(!p.documents().get("backends/configs/deeper").value().has_value());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(true), &a).has_value());
    // 2-byte characters stored as 6-byte escapes: refused on their stored size.
    auto big = make_config(true);
    std::string e_acute;
    for (std::size_t i = 0; i < max_document_bytes / 6 + 16; ++i) e_acute += "\xc3\xa9";
    big.description = e_acute;
    BOOST_TEST(e_acute.size() < max_document_bytes);
    BOOST_TEST(p.update_config("fermions", big, &a).error() == errc::size_limit_exceeded);
    BOOST_TEST(p.verify_config("fermions").has_value());
    // An unsigned config with members named like a JWSDict's is an unsigned config.
    auto lookalike = unnamed_config(false);
    lookalike.unknown_members["header"] = boost::json::object{{"kid", "a"}};
    lookalike.unknown_members["payload"] = boost::json::object{};
    lookalike.unknown_members["signature"] = "AAAA";
    BOOST_TEST_REQUIRE(p.upload_config("lookalike", lookalike, nullptr).has_value());
    BOOST_TEST(p.get_config("lookalike").value().description == "Fermions in a tweezer");
    BOOST_TEST(p.verify_config("lookalike").error() == errc::signature_invalid);
    BOOST_TEST(p.update_config("lookalike", unnamed_config(true), &a).has_value());
    BOOST_TEST(p.verify_config("lookalike").has_value());
    // A job whose experiments are named header, payload and signature is still a job.
    Job job;
    for (const char* name : {"header", "payload", "signature"}) job.entries.push_back({name, ExperimentalInput{}});
    const std::string id = p.upload_job("fermions", job).value();
    BOOST_TEST_REQUIRE(p.next_job_in_queue("fermions").value().has_value());
    BOOST_TEST(p.get_running_job(id).value().entries.size() == 3u);
}

// Issue: kids of 229-250 bytes failed on the folder store only.
BOOST_AUTO_TEST_CASE_TEMPLATE(one_name_limit_on_every_store, F, Fixtures) {
    F f;
    Provider p(f.documents());
    const auto longest = PrivateJwk::generate(std::string(max_name_bytes, 'k')).value();
    const auto too_long = PrivateJwk::generate(std::string(max_name_bytes + 1, 'k')).value();
    BOOST_TEST(p.upload_public_key(longest.public_jwk()).has_value());
    BOOST_TEST(p.get_public_key_by_kid(longest.kid()).has_value());
    BOOST_TEST(p.upload_public_key(too_long.public_jwk()).error() == errc::invalid_argument);
    BOOST_TEST(p.upload_config(std::string(max_name_bytes, 'n'), unnamed_config(true), &longest).has_value());
    BOOST_TEST(p.verify_config(std::string(max_name_bytes, 'n')).has_value());
    BOOST_TEST(p.upload_config(std::string(max_name_bytes + 1, 'n'), unnamed_config(false)).error() ==
               errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(racing_workers_take_each_job_once, F, Fixtures) {
    F f;
    Provider p(f.documents());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(false)).has_value());
    const auto job = one_job();
    constexpr int jobs = 20;
    for (int i = 0; i < jobs; ++i) BOOST_TEST_REQUIRE(p.upload_job("fermions", job).has_value());
    std::vector<std::string> got[2];
    std::thread workers[2];
    for (int w = 0; w < 2; ++w)
        workers[w] = std::thread([&, w] {
            Provider mine(f.documents());
            for (;;) {
                auto n = mine.next_job_in_queue("fermions");
                if (!n || !*n) return;
                got[w].push_back((*n)->job_id);
            }
        });
    for (auto& t : workers) t.join();
    std::set<std::string> all(got[0].begin(), got[0].end());
    all.insert(got[1].begin(), got[1].end());
    BOOST_TEST(all.size() == static_cast<std::size_t>(jobs));
    BOOST_TEST(got[0].size() + got[1].size() == static_cast<std::size_t>(jobs));
}

BOOST_AUTO_TEST_CASE(folder_layout_is_sqoolers) {
    test::TempDir dir;
    Provider p(FolderDocuments(dir.path()));
    const auto bob = PrivateJwk::generate("bob-key").value();
    BOOST_TEST_REQUIRE(p.upload_public_key(bob.public_jwk()).has_value());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(false)).has_value());
    const auto job = one_job();
    const std::string id = p.upload_job("fermions", job).value();
    auto slurp = [&](const std::string& rel) {
        std::ifstream in(dir.path() + "/" + rel, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    };
    // json.dump bytes (the config unsigned, as model_dump would give it), compact JWK.
    BOOST_TEST(slurp("backends/configs/fermions.json") == python_dumps(to_json(make_config(false))).value());
    BOOST_TEST(slurp("backends/public_keys/bob-key.json") == bob.public_jwk().to_json(JwkForm::sqooler));
    BOOST_TEST(slurp("jobs/queued/fermions/" + id + ".json") == std::string(provider_job_json));
    // Files sqooler writes are found: a job dropped into the queue by another program.
    {
        std::ofstream out(dir.path() + "/jobs/queued/fermions/000000000000000000000000.json", std::ios::binary);
        out << provider_job_json;
    }
    BOOST_TEST(p.next_job_in_queue("fermions").value().value().job_id == "000000000000000000000000");
    BOOST_TEST(slurp("jobs/running/000000000000000000000000.json") == std::string(provider_job_json));
    // No temporary or lock files are left behind.
    BOOST_TEST(p.update_config("fermions", make_config(false)).has_value());
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
        BOOST_TEST(e.path().filename().string().front() != '.');
    // Unusable stored documents are errors, not crashes.
    { std::ofstream(dir.path() + "/backends/configs/broken.json") << "{not json"; }
    BOOST_TEST(p.get_config("broken").error() == errc::malformed_input);
    { std::ofstream(dir.path() + "/backends/configs/array.json") << "[1]"; }
    BOOST_TEST(p.get_config("array").error() == errc::malformed_input);
}

// Issue: a FIFO in the folder store hung verification.
BOOST_AUTO_TEST_CASE(folder_store_reads_only_regular_files) {
    test::TempDir dir;
    Provider p(FolderDocuments(dir.path()));
    const auto bob = PrivateJwk::generate("bob-key").value();
    BOOST_TEST_REQUIRE(p.upload_public_key(bob.public_jwk()).has_value());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(true), &bob).has_value());
    BOOST_TEST_REQUIRE(p.upload_result("fermions", "j1", make_result("j1"), &bob).has_value());
    const std::string fifo = dir.path() + "/results/fermions/x.json";
    BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // On a thread of its own, so that a hang fails the test instead of never ending it.
    auto promise = std::make_shared<std::promise<result<Verified<ResultDocument>>>>();
    auto verdict = promise->get_future();
    std::thread([promise, root = dir.path()] {
        Provider mine{FolderDocuments(root)};
        promise->set_value(mine.verify_result("fermions", "x"));
    }).detach();
    BOOST_TEST_REQUIRE((verdict.wait_for(std::chrono::seconds(20)) == std::future_status::ready));
    BOOST_TEST(verdict.get().error() == errc::signature_invalid);
    BOOST_TEST(FolderDocuments(dir.path()).get("results/fermions/x").error() == errc::malformed_input);
    // A symbolic link is not a regular file either, even to one.
    std::filesystem::create_symlink(dir.path() + "/results/fermions/j1.json", dir.path() + "/results/fermions/l.json");
    BOOST_TEST(FolderDocuments(dir.path()).get("results/fermions/l").error() == errc::malformed_input);
    BOOST_TEST(p.verify_result("fermions", "j1").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
