// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/sqooler/documents.hpp: sqooler's documents through Boost.Hana reflection,
// exact round trips (member order, unknown members), strict types, typed signing.
#include <sealpipe/sqooler/documents.hpp>

#include "support/print_error.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace sealpipe;
using namespace sealpipe::jose;
using namespace sealpipe::sqooler;

namespace {
// A backend config as sqooler's `BackendConfigSchemaIn.model_dump()` orders it, with an
// unknown member at the end and free-form gates.
constexpr std::string_view config_json =
    R"({"description": "Fermions in a tweezer", "version": "0.1.2", "display_name": "fermions", )"
    R"("cold_atom_type": "fermion", "gates": [{"name": "fhop", "parameters": ["j_i"], "qasm_def": "{}", "coupling_map": [[0, 1, 2, 3]], "description": "hop"}], )"
    R"("max_experiments": 1000, "max_shots": 1000000, "simulator": true, "supported_instructions": ["load", "measure", "fhop"], )"
    R"("num_wires": 8, "wire_order": "interleaved", "num_species": 2, "pending_jobs": null, "status_msg": null, )"
    R"("last_queue_check": "2026-11-23T00:00:00.123456", "sign": true, "kid": "bob", "operational": true})";

constexpr std::string_view result_json =
    R"({"backend_name": "local_fermions_simulator", "display_name": "fermions", "backend_version": "0.1.2", )"
    R"("job_id": "6576e9b2", "qobj_id": null, "success": true, "status": "DONE", "header": {"user": "alice", "z": [1.0, 2]}, )"
    R"("results": [{"header": {"name": "experiment_0", "extra": {"k": 1e-07}}, "shots": 3, "success": true, )"
    R"("data": {"memory": ["1 0", "0 1", "1 1"], "instructions": [{"name": "load", "wires": [0], "params": []}, )"
    R"({"name": "fhop", "wires": [0, 1, 2, 3], "params": [0.5]}]}}]})";

constexpr std::string_view job_json =
    R"({"experiment_0": {"instructions": [{"name": "load", "wires": [0], "params": []}, {"name": "measure", "wires": [0], "params": []}], )"
    R"("num_wires": 1, "shots": 4, "wire_order": "sequential"}, "experiment_1": {"instructions": [], "num_wires": 2, "shots": 1, )"
    R"("wire_order": "interleaved", "seed": 42}})";

template <class T>
std::string round_trip(std::string_view json) {
    const T doc = from_json<T>(parse_python_json(json).value()).value();
    return python_dumps(to_json(doc)).value();
}
} // namespace

static_assert(Document<BackendConfig> && Document<ResultDocument> && Document<StatusMessage>);
static_assert(!Document<std::string> && !Document<Job>);

BOOST_AUTO_TEST_SUITE(documents)

BOOST_AUTO_TEST_CASE(backend_config_round_trip) {
    BOOST_TEST(round_trip<BackendConfig>(config_json) == config_json);
    const auto cfg = from_json<BackendConfig>(parse_python_json(config_json).value()).value();
    BOOST_TEST(cfg.sign);
    BOOST_TEST(cfg.kid.value() == "bob");
    BOOST_TEST(!cfg.pending_jobs.has_value());
    BOOST_TEST(cfg.supported_instructions.size() == 3u);
    BOOST_TEST(cfg.unknown_members.size() == 1u);
    BOOST_TEST(cfg.unknown_members.at("operational").as_bool());
}

BOOST_AUTO_TEST_CASE(result_job_status_round_trip) {
    BOOST_TEST(round_trip<ResultDocument>(result_json) == result_json);
    BOOST_TEST(round_trip<Job>(job_json) ==
               R"({"experiment_0": {"instructions": [{"name": "load", "wires": [0], "params": []}, {"name": "measure", "wires": [0], "params": []}], )"
               R"("num_wires": 1, "shots": 4, "wire_order": "sequential", "seed": null}, "experiment_1": {"instructions": [], "num_wires": 2, "shots": 1, )"
               R"("wire_order": "interleaved", "seed": 42}})");
    const auto job = from_json<Job>(parse_python_json(job_json).value()).value();
    BOOST_TEST(job.entries.size() == 2u);
    BOOST_TEST(job.find("experiment_1")->seed.value() == 42);
    BOOST_TEST(job.find("nope") == nullptr);
    constexpr std::string_view status = R"({"job_id": "j", "status": "DONE", "detail": "ok; ok", "error_message": "None"})";
    BOOST_TEST(round_trip<StatusMessage>(status) == status);
}

BOOST_AUTO_TEST_CASE(unknown_members_keep_their_order) {
    BOOST_TEST(round_trip<StatusMessage>(
                   R"({"z": 1, "job_id": "j", "a": [2], "status": "QUEUED", "detail": "", "error_message": "", "m": null})") ==
               R"({"job_id": "j", "status": "QUEUED", "detail": "", "error_message": "", "z": 1, "a": [2], "m": null})");
    // PublicKeyDocument has no unknown_members: like pydantic, it drops them
    BOOST_TEST(round_trip<PublicKeyDocument>(
                   R"({"x": "a", "key_ops": "verify", "kid": "k", "d": null, "kty": "OKP", "alg": "EdDSA", "crv": "Ed25519", "use": "sig"})") ==
               R"({"x": "a", "key_ops": "verify", "kid": "k", "d": null, "kty": "OKP", "alg": "EdDSA", "crv": "Ed25519"})");
}

BOOST_AUTO_TEST_CASE(defaults_and_optionals) {
    // sign may be missing (default false); kid, pending_jobs... are optional and written as null
    auto v = parse_python_json(config_json).value();
    auto& o = v.as_object();
    o.erase("sign");
    o.erase("kid");
    o.erase("status_msg");
    const auto cfg = from_json<BackendConfig>(v).value();
    BOOST_TEST(!cfg.sign);
    BOOST_TEST(!cfg.kid.has_value());
    const auto out = to_json(cfg).as_object();
    BOOST_TEST(out.at("sign").as_bool() == false);
    BOOST_TEST(out.at("kid").is_null());
    BOOST_TEST(out.at("status_msg").is_null());
}

BOOST_AUTO_TEST_CASE(strict_types_name_the_member) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {R"({"job_id": 1, "status": "DONE", "detail": "", "error_message": ""})", "job_id: expected a string"},
        {R"({"status": "DONE", "detail": "", "error_message": ""})", "job_id: missing"},
        {R"([1])", "(top): expected an object"},
    };
    for (auto [json, msg] : cases) {
        BOOST_TEST_CONTEXT(json) {
            const auto r = from_json<StatusMessage>(parse_python_json(json).value());
            BOOST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error() == errc::malformed_input);
            BOOST_TEST(r.error().message().find(msg) != std::string::npos);
        }
    }
    auto bad = parse_python_json(result_json).value();
    bad.as_object()["results"].as_array()[0].as_object()["data"].as_object()["memory"].as_array()[1] = 5;
    BOOST_TEST(from_json<ResultDocument>(bad).error().message().find("results[0].data.memory[1]") != std::string::npos);
    auto bad_int = parse_python_json(config_json).value();
    bad_int.as_object()["num_wires"] = 8.0;
    BOOST_TEST(from_json<BackendConfig>(bad_int).error().message().find("num_wires: expected an integer") !=
               std::string::npos);
    bad_int.as_object()["num_wires"] = std::uint64_t{1} << 63;
    BOOST_TEST(from_json<BackendConfig>(bad_int).error().message().find("out of range") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(typed_signing_and_public_keys) {
    const PrivateJwk key = PrivateJwk::generate("bob").value();
    auto cfg = from_json<BackendConfig>(parse_python_json(config_json).value()).value();
    const SqoolerJws jws = sign_document(cfg, key).value();
    // sqooler signs config.model_dump(): the payload is exactly to_json(cfg)
    BOOST_TEST(python_dumps(verify_sqooler(jws, key.public_jwk())->payload()).value() == config_json);
    const auto typed = verify_document<BackendConfig>(jws, key.public_jwk());
    BOOST_REQUIRE(typed.has_value());
    BOOST_TEST(typed->payload().display_name.value() == "fermions");
    BOOST_TEST(typed->kid() == "bob");
    BOOST_TEST(verify_document<StatusMessage>(jws, key.public_jwk()).error() == errc::malformed_input);
    BOOST_TEST(verify_document<BackendConfig>(jws, PrivateJwk::generate("bob").value().public_jwk()).error() ==
               errc::signature_invalid);

    const PublicKeyDocument doc = to_public_key_document(key.public_jwk());
    BOOST_TEST(doc.key_ops == "verify");
    BOOST_TEST(!doc.d.has_value());
    BOOST_TEST(to_public_jwk(doc).value() == key.public_jwk());
    PublicKeyDocument leaked = doc;
    leaked.d = "AAAA";
    BOOST_TEST(to_public_jwk(leaked).error() == errc::invalid_key);
}

BOOST_AUTO_TEST_SUITE_END()
