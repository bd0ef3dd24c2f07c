// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A storage provider in sqooler's folder layout: Bob publishes his key and a signed config,
// takes a job from the queue and uploads a signed result; Alice verifies it; a result altered
// in storage and a config update attempted with another key are both caught.

#include <sealpipe/jose.hpp>
#include <sealpipe/sqooler.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace jose = sealpipe::jose;
namespace sqooler = sealpipe::sqooler;
using sealpipe::errc;

namespace {

int fail_with(const sealpipe::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.message().c_str());
    return (e == sealpipe::condition::verification_failed ? 1 : 2);
}

sqooler::BackendConfig fermions_config() {
    sqooler::BackendConfig c;
    c.description = "Fermions in an optical tweezer";
    c.version = "0.1.2";
    c.display_name = "fermions";
    c.cold_atom_type = "fermion";
    c.max_experiments = 1000;
    c.max_shots = 1000000;
    c.simulator = true;
    c.supported_instructions = {"load", "measure"};
    c.num_wires = 8;
    c.wire_order = "interleaved";
    c.num_species = 2;
    c.sign = true;
    return c;
}

} // namespace

int main(int argc, char** argv) {
    std::string root = argc > 1 ? argv[1] : "";
    const bool temporary = root.empty();
    if (temporary) {
        char tmpl[] = "/tmp/sealpipe-signed-results-XXXXXX";
        if (!::mkdtemp(tmpl)) return 2;
        root = tmpl;
    }

    // tag::bob[]
    // Bob: a key, published under its kid (immutable from now on), and his backend's config,
    // signed because it says "sign": true (the provider sets its kid first).
    auto bob = jose::PrivateJwk::generate("bob-2026");
    if (!bob) return fail_with(bob.error());
    sqooler::Provider storage(sqooler::FolderDocuments{root});
    if (auto r = storage.upload_public_key(bob->public_jwk()); !r) return fail_with(r.error());
    if (auto r = storage.upload_config("fermions", fermions_config(), &*bob); !r) return fail_with(r.error());

    // Alice queues a job; Bob takes it (queued -> running) and uploads a signed result.
    sqooler::Job job;
    job.entries.push_back({"experiment_0", sqooler::ExperimentalInput{}});
    job.entries.back().second.shots = 2;
    job.entries.back().second.num_wires = 1;
    job.entries.back().second.wire_order = "interleaved";
    auto job_id = storage.upload_job("fermions", job);
    if (!job_id) return fail_with(job_id.error());
    auto next = storage.next_job_in_queue("fermions");
    if (!next || !*next) return fail_with(next ? sealpipe::fail(errc::object_not_found, "empty queue") : next.error());

    sqooler::ResultDocument result;
    result.display_name = "fermions";
    result.backend_version = "0.1.2";
    result.job_id = (*next)->job_id;
    result.success = true;
    result.status = "DONE";
    sqooler::ExperimentResult experiment;
    experiment.shots = 2;
    experiment.success = true;
    experiment.data.memory = {"1", "0"};
    result.results.push_back(experiment);
    sqooler::StatusMessage done;
    done.job_id = (*next)->job_id;
    done.status = "DONE";
    done.detail = "measured";
    done.error_message = "None";
    if (auto r = storage.update_in_database("fermions", done, &result, &*bob); !r) return fail_with(r.error());
    // end::bob[]

    // tag::alice[]
    // Alice: finds the config, its kid, the published key, and verifies the stored result.
    auto verified = storage.verify_result("fermions", *job_id);
    if (!verified) return fail_with(verified.error());
    std::printf("result of job %s verified with key '%s': %zu experiment(s), first shot %s\n", job_id->c_str(),
                verified->kid().c_str(), verified->payload().results.size(),
                verified->payload().results.at(0).data.memory.at(0).c_str());
    // end::alice[]

    // tag::tampering[]
    // Someone with write access to the storage flips a measured bit ...
    const std::string path = "results/fermions/" + *job_id;
    auto stored = storage.documents().get(path);
    if (!stored || !*stored) return 2;
    std::string altered = **stored;
    altered.replace(altered.find("[\"1\", \"0\"]"), 10, "[\"0\", \"0\"]");
    if (auto r = storage.documents().put(path, altered); !r) return fail_with(r.error());
    auto check = storage.verify_result("fermions", *job_id);
    std::printf("altered result: %s\n", check ? "ACCEPTED (bug)" : check.error().message().c_str());

    // ... and Mallory, with a key of her own under Bob's kid, tries to take over his backend.
    auto mallory = jose::PrivateJwk::generate("bob-2026");
    if (!mallory) return fail_with(mallory.error());
    auto update = storage.update_config("fermions", fermions_config(), &*mallory);
    std::printf("config update with another key: %s\n", update ? "ACCEPTED (bug)" : update.error().message().c_str());
    auto publish = storage.upload_public_key(mallory->public_jwk());
    std::printf("another key under kid 'bob-2026': %s\n", publish ? "ACCEPTED (bug)" : publish.error().message().c_str());
    // end::tampering[]

    if (temporary) std::filesystem::remove_all(root);
    const bool caught = !check && check.error() == errc::signature_invalid && !update &&
                        update.error() == errc::not_owner && !publish && publish.error() == errc::key_conflict;
    return caught ? EXIT_SUCCESS : EXIT_FAILURE;
}
