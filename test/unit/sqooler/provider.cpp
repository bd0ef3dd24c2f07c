// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/sqooler/provider.hpp (+ sqooler/sqlite.hpp, sqooler/redis.hpp): one
// conformance suite over the folder, SQLite and Redis document stores; sqooler's folder layout
// byte for byte; signing, verification and the tamper cases (altered result, update by another
// key, a different key under a published kid); key rotation.
#include <sealpipe/sqooler/provider.hpp>
#include <sealpipe/sqooler/redis.hpp>
#include <sealpipe/sqooler/sqlite.hpp>

#include "support/print_error.hpp"
#include "support/storage.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

using namespace sealpipe;
using namespace sealpipe::jose;
using namespace sealpipe::sqooler;

namespace {

constexpr std::string_view config_json =
    R"({"description": "Fermions in a tweezer", "version": "0.1.2", "display_name": "fermions", )"
    R"("cold_atom_type": "fermion", "gates": [], "max_experiments": 1000, "max_shots": 1000000, "simulator": true, )"
    R"("supported_instructions": ["load", "measure"], "num_wires": 8, "wire_order": "interleaved", "num_species": 2, )"
    R"("pending_jobs": null, "status_msg": null, "last_queue_check": null, "sign": true, "kid": null, "operational": true})";

constexpr std::string_view job_json =
    R"({"experiment_0": {"instructions": [{"name": "load", "wires": [0], "params": []}], )"
    R"("num_wires": 1, "shots": 4, "wire_order": "sequential", "seed": null}})";

BackendConfig make_config(bool sign) {
    auto c = from_json<BackendConfig>(parse_python_json(config_json).value()).value();
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

struct FolderFixture {
    test::TempDir dir;
    FolderDocuments documents() { return FolderDocuments(dir.path()); }
};
struct SqliteFixture {
    test::TempDir dir;
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
    BOOST_TEST(p.upload_public_key(bob.public_jwk()).has_value());
    BOOST_TEST(p.upload_public_key(bob.public_jwk()).has_value()); // the same key again is fine
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(true), &bob).has_value());
    // A second upload is refused (sqooler: FileExistsError).
    BOOST_TEST(p.upload_config("fermions", make_config(true), &bob).error() == error::invalid_argument);
    // sign without a key is refused
    BOOST_TEST(p.upload_config("other", make_config(true), nullptr).error() == error::invalid_argument);

    const auto config = p.get_config("fermions").value();
    BOOST_TEST(config.sign);
    BOOST_TEST(config.kid.value_or("") == "bob-key");
    BOOST_TEST(p.verify_config("fermions").value().payload().kid.value_or("") == "bob-key");
    BOOST_TEST(p.get_public_key("fermions").value().kid() == "bob-key");

    const auto job = from_json<Job>(parse_python_json(job_json).value()).value();
    const std::string id1 = p.upload_job("fermions", job).value();
    const std::string id2 = p.upload_job("fermions", job).value();
    BOOST_TEST(id1.size() == 24u);
    BOOST_TEST(id1 != id2);
    std::set<std::string> taken;
    for (int i = 0; i < 2; ++i) {
        auto next = p.next_job_in_queue("fermions").value();
        BOOST_TEST_REQUIRE(next.has_value());
        BOOST_TEST(next->job_json_path == "jobs/running");
        BOOST_TEST(python_dumps(to_json(p.get_running_job(next->job_id).value())).value() == std::string(job_json));
        taken.insert(next->job_id);
    }
    BOOST_TEST((taken == std::set<std::string>{id1, id2}));
    BOOST_TEST(!p.next_job_in_queue("fermions").value().has_value());

    StatusMessage status;
    status.job_id = id1;
    status.status = "DONE";
    status.detail = "done";
    status.error_message = "None";
    const auto res = make_result(id1);
    BOOST_TEST_REQUIRE(p.update_in_database("fermions", status, &res, &bob).has_value());
    BOOST_TEST(p.documents().get("jobs/finished/fermions/" + id1).value().has_value());
    BOOST_TEST(!p.documents().get("jobs/running/" + id1).value().has_value());
    auto verified = p.verify_result("fermions", id1);
    BOOST_TEST_REQUIRE(verified.has_value());
    BOOST_TEST(verified->payload().job_id == id1);
    BOOST_TEST(verified->kid() == "bob-key");
    BOOST_TEST(p.get_result("fermions", id1).value().results.at(0).data.memory.at(0) == "1 0");
    BOOST_TEST(p.verify_status("fermions", id1).value().payload().status == "DONE");

    // Status ERROR moves the job to jobs/deleted.
    StatusMessage failed;
    failed.job_id = id2;
    failed.status = "ERROR";
    BOOST_TEST(p.update_in_database("fermions", failed, nullptr, &bob).has_value());
    BOOST_TEST(p.documents().get("jobs/deleted/" + id2).value().has_value());

    // Signing backend without a key: refused.
    BOOST_TEST(p.upload_result("fermions", id1, res, nullptr).error() == error::invalid_argument);
    // Missing things.
    BOOST_TEST(p.verify_result("fermions", "nothere").error() == error::object_not_found);
    BOOST_TEST(p.verify_result("nobody", id1).error() == error::object_not_found);
    BOOST_TEST(p.get_config("../x").error() == error::invalid_argument);
    BOOST_TEST(p.upload_job("a/b", job).error() == error::invalid_argument);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(tampering_is_caught, F, Fixtures) {
    F f;
    Provider p(f.documents());
    const auto bob = PrivateJwk::generate("bob-key").value();
    const auto mallory = PrivateJwk::generate("bob-key").value(); // same kid, other key
    BOOST_TEST_REQUIRE(p.upload_public_key(bob.public_jwk()).has_value());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(true), &bob).has_value());
    BOOST_TEST_REQUIRE(p.upload_result("fermions", "job1", make_result("job1"), &bob).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").has_value());

    // 1. A result altered in storage.
    const std::string path = "results/fermions/job1";
    std::string stored = read_doc(p.documents(), path);
    const auto at = stored.find("\"1 0\"");
    BOOST_TEST_REQUIRE(at != std::string::npos);
    stored.replace(at, 5, "\"0 1\"");
    BOOST_TEST_REQUIRE(p.documents().put(path, stored).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").error() == error::signature_invalid);
    // ... or replaced by one signed with another key, or by an unsigned one.
    BOOST_TEST_REQUIRE(
        p.documents().put(path, python_dumps(boost::json::value(sign_document(make_result("job1"), mallory).value().to_value())).value()).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").error() == error::signature_invalid);
    BOOST_TEST_REQUIRE(p.documents().put(path, python_dumps(to_json(make_result("job1"))).value()).has_value());
    BOOST_TEST(p.verify_result("fermions", "job1").error() == error::signature_invalid);

    // 2. A config update with another key.
    auto updated = make_config(true);
    updated.description = "taken over";
    BOOST_TEST(p.update_config("fermions", updated, &mallory).error() == error::not_owner);
    BOOST_TEST(p.update_config("fermions", updated, nullptr).error() == error::not_owner);
    BOOST_TEST(p.get_config("fermions").value().description == "Fermions in a tweezer");
    BOOST_TEST(p.update_config("fermions", updated, &bob).has_value());
    BOOST_TEST(p.get_config("fermions").value().description == "taken over");
    BOOST_TEST(p.update_config("nobody", updated, &bob).error() == error::object_not_found);

    // 3. A different key under the same kid.
    BOOST_TEST(p.upload_public_key(mallory.public_jwk()).error() == error::key_conflict);
    BOOST_TEST(p.get_public_key_by_kid("bob-key").value().to_json() == bob.public_jwk().to_json());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(key_rotation, F, Fixtures) {
    F f;
    Provider p(f.documents());
    const auto old_key = PrivateJwk::generate("bob-2025").value();
    const auto new_key = PrivateJwk::generate("bob-2026").value();
    const auto stranger = PrivateJwk::generate("bob-2025").value();
    BOOST_TEST_REQUIRE(p.upload_public_key(old_key.public_jwk()).has_value());
    BOOST_TEST(p.rotate_key(stranger, new_key.public_jwk()).error() == error::not_owner);
    BOOST_TEST(p.verify_rotation("bob-2026").error() == error::object_not_found);
    BOOST_TEST_REQUIRE(p.rotate_key(old_key, new_key.public_jwk()).has_value());
    BOOST_TEST(p.rotate_key(old_key, new_key.public_jwk()).has_value()); // idempotent
    auto v = p.verify_rotation("bob-2026");
    BOOST_TEST_REQUIRE(v.has_value());
    BOOST_TEST(v->payload() == "bob-2025");
    BOOST_TEST(p.get_public_key_by_kid("bob-2026").value().to_json() == new_key.public_jwk().to_json());
    // The statement altered in storage no longer verifies.
    std::string stored = read_doc(p.documents(), "backends/key_rotations/bob-2026");
    stored.replace(stored.find("bob-2025\", \"new_kid"), 8, "bob-2024");
    BOOST_TEST_REQUIRE(p.documents().put("backends/key_rotations/bob-2026", stored).has_value());
    BOOST_TEST(!p.verify_rotation("bob-2026").has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(racing_workers_take_each_job_once, F, Fixtures) {
    F f;
    Provider p(f.documents());
    BOOST_TEST_REQUIRE(p.upload_config("fermions", make_config(false)).has_value());
    const auto job = from_json<Job>(parse_python_json(job_json).value()).value();
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
    const auto job = from_json<Job>(parse_python_json(job_json).value()).value();
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
    BOOST_TEST(slurp("jobs/queued/fermions/" + id + ".json") == std::string(job_json));
    // Files sqooler writes are found: a job dropped into the queue by another program.
    {
        std::ofstream out(dir.path() + "/jobs/queued/fermions/000000000000000000000000.json", std::ios::binary);
        out << job_json;
    }
    BOOST_TEST(p.next_job_in_queue("fermions").value().value().job_id == "000000000000000000000000");
    BOOST_TEST(slurp("jobs/running/000000000000000000000000.json") == std::string(job_json));
    // No temporary files are left behind.
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
        BOOST_TEST(e.path().filename().string().front() != '.');
    // Unusable stored documents are errors, not crashes.
    { std::ofstream(dir.path() + "/backends/configs/broken.json") << "{not json"; }
    BOOST_TEST(p.get_config("broken").error() == error::malformed_input);
    { std::ofstream(dir.path() + "/backends/configs/array.json") << "[1]"; }
    BOOST_TEST(p.get_config("array").error() == error::malformed_input);
}

BOOST_AUTO_TEST_SUITE_END()
