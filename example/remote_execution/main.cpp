// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The project's main job, end to end: Alice stores input files as an encrypted DAG in SQLite,
// seals an action carrying the root link, the untrusted scheduler routes it to Bob's worker,
// Bob verifies Alice's certificate, reads the inputs, counts words, stores the output and
// answers with a completion event carrying the output link; Alice opens it and reads the
// result. Neither the store nor the scheduler learns anything but sizes and routing data.
//
// Usage: example_remote_execution [WORK_DIR]   (default: a fresh directory under /tmp)

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/execution.hpp>
#include <sealpipe/storage/gc.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include "../common/certificates.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using namespace sealpipe;
using namespace std::chrono_literals;

namespace {

using Aead = aead::AesGcmSiv<256>;
using Chain = encoding::DeterministicPipeline<encoding::SimpleLzw, Aead>;

void say(const char* who, const std::string& what) { std::printf("%-10s %s\n", who, what.c_str()); }

/// What travels inside the encrypted action: where the inputs are and how to read them.
std::string job_description(const dag::Link& input, const Aead::Key& key) {
    boost::json::object job;
    job["input"] = input.to_string();
    job["encryptionKey"] = base64_encode(key.reveal(hazmat::secret_access()));
    return boost::json::serialize(job);
}

/// Counts the words of every file of a DAG tree (files and directories, recursively).
template <class Reader>
result<std::size_t> count_words(Reader& reader, const dag::Link& link, std::size_t depth = 0) {
    if (depth > 64) return fail(errc::size_limit_exceeded, "tree too deep");
    auto node = reader.read(link);
    if (!node) return node.error();
    if (node->body().empty()) return fail(errc::object_corrupt, "empty node");
    if (node->body()[0] == static_cast<Byte>(dag::NodeKind::file)) {
        auto bytes = dag::TreeReader(reader).get_bytes(link, std::size_t{64} << 20);
        if (!bytes) return bytes.error();
        std::istringstream in{std::string(as_chars(*bytes))};
        std::size_t words = 0;
        for (std::string w; in >> w;) ++words;
        return words;
    }
    std::size_t total = 0;   // a directory: each distinct child (a file or a directory) once
    for (std::size_t i = 0; i < node->degree(); ++i) {
        auto n = count_words(reader, node->child(i), depth + 1);
        if (!n) return n.error();
        total += *n;
    }
    return total;
}

} // namespace

int main(int argc, char** argv) {
    std::string tmpl = (fs::temp_directory_path() / "sealpipe-remote-XXXXXX").string();
    const fs::path work = argc > 1 ? fs::path(argv[1]) : fs::path(::mkdtemp(tmpl.data()));
    fs::create_directories(work / "inputs" / "chapters");
    std::ofstream(work / "inputs" / "title.txt") << "Work on infrastructure you do not trust\n";
    std::ofstream(work / "inputs" / "chapters" / "one.txt") << "Storage is trusted with availability only.\n";
    std::ofstream(work / "inputs" / "chapters" / "two.txt") << "The scheduler routes actions and learns nothing.\n";

    // One SQLite store, shared by Alice and Bob, run by "someone else".
    auto backend = storage::Sqlite::open((work / "objects.db").string());
    if (!backend) return 2;
    storage::BasicStore<storage::Sqlite> store(std::move(*backend));

    // Certificates: a client CA that Bob trusts, and Alice's certificate from it.
    auto ca_key = keys::AnyPrivateKey::generate("ed25519").value();
    auto alice_key = keys::AnyPrivateKey::generate("ed25519").value();
    X509* ca_cert = nullptr;
    const std::string ca_pem = example::issue("Example client CA", ca_key, ca_key, nullptr, true, &ca_cert);
    const std::string alice_chain = example::issue("alice", alice_key, ca_key, ca_cert, false, nullptr);
    X509_free(ca_cert);
    const auto alice_key_pem = alice_key.to_pem();

    // Bob's worker kind is known to Alice only by its platform public key.
    auto platform = keys::AnyPrivateKey::generate("ed25519").value();
    auto bob = execution::Worker::create({platform}, keys::TrustStore::from_pem(ca_pem).value(), 1h).value();
    auto alice = execution::Client::from_pem(alice_chain, std::string_view(alice_key_pem.data(), alice_key_pem.size()))
                     .value();

    // 1. Alice stores her inputs as an encrypted DAG under a fresh key.
    auto input_key = Aead::Key::generate();
    if (!input_key) return 2;
    Chain alice_pipeline({}, *input_key);
    dag::Writer alice_writer(alice_pipeline, store);
    auto input = dag::TreeWriter(alice_writer).put_path(work / "inputs");
    if (!input) return 1;
    say("alice", "stored inputs/ as an encrypted DAG, root " + input->reference.to_string());

    // 2. The scheduler runs on a thread of its own. Alice and Bob reach it only through the
    //    transport (here in-process: bounded queues); Bob proves possession of the platform
    //    key before he gets any work.
    // tag::endpoints[]
    using Transport = transport::InProcess;
    execution::Scheduler<Transport> scheduler;
    std::thread serving([&] { scheduler.run(); });
    auto deadline = [] { return std::chrono::steady_clock::now() + 30s; };
    execution::WorkerEndpoint<Transport> bob_endpoint(std::move(bob), "bob", scheduler.connect());
    if (auto proven = bob_endpoint.synchronize(deadline()); !proven) {
        say("bob", "could not synchronize: " + proven.error().message());
        scheduler.shutdown();
        serving.join();
        return 1;
    }
    say("scheduler", "bob proved possession of the platform key; it may now receive actions");
    // end::endpoints[]

    // 3. Bob's worker: open the action, read the inputs, count, store the output, answer.
    std::thread worker([&] {
        for (int polls = 0; polls < 5000; ++polls) {
            auto next = bob_endpoint.next_action(deadline());
            if (!next) {
                say("bob", "refused the action: " + next.error().message());
                return;
            }
            if (!*next) {
                std::this_thread::sleep_for(1ms);
                continue;
            }
            const execution::ReceivedAction& job = **next;
            say("bob", "verified alice's certificate and opened the action");
            auto request = boost::json::parse(as_chars(job.action.plaintext)).as_object();
            auto link = dag::Link::parse(std::string(request["input"].as_string())).value();
            auto raw_key = base64_decode(std::string(request["encryptionKey"].as_string())).value();
            Chain chain({}, Aead::Key::from(raw_key).value());
            wipe(raw_key);
            dag::Writer writer(chain, store);
            dag::Reader reader(chain, store);
            (void)bob_endpoint.progress(job, as_bytes("reading inputs"), deadline());
            auto words = count_words(reader, link);
            if (!words) {
                say("bob", "cannot read the inputs: " + words.error().message());
                return;
            }
            const std::string report = "the distinct files of inputs/ hold " + std::to_string(*words) + " words\n";
            auto output = dag::TreeWriter(writer).put_bytes(as_bytes(report)).value();
            say("bob", "counted " + std::to_string(*words) + " words; stored the report as a DAG");
            (void)bob_endpoint.complete(job, as_bytes(output.to_string()), deadline());
            return;
        }
    });

    // 4. Alice seals the action for the platform key, submits it and opens the events.
    // tag::execute[]
    execution::ClientEndpoint<Transport> alice_endpoint(std::move(alice), scheduler.connect());
    execution::AdditionalData ad{Bytes{0x01}, execution::Duration::from_seconds(60)};
    auto execution = alice_endpoint.execute(platform.public_key(), as_bytes(job_description(*input, *input_key)), ad,
                                            execution::NoncePolicy::random, deadline());
    // end::execute[]
    int status = 1;
    if (execution) {
        say("alice", "sealed and submitted an action of " + std::to_string(execution->action().bytes().size()) +
                         " bytes for the platform key");
        for (;;) {
            auto event = execution->next(deadline());
            if (!event) {
                say("alice", "the action failed: " + event.error().message());
                break;
            }
            if (!event->final) {
                say("alice", "progress: " + std::string(as_chars(event->plaintext)));
                continue;
            }
            // 5. The completion event carries the output link; Alice reads the report.
            auto output = dag::Link::parse(as_chars(event->plaintext)).value();
            dag::Reader reader(alice_pipeline, store);
            auto report = dag::TreeReader(reader).get_bytes(output, 1 << 20);
            if (!report) break;
            say("alice", "read the result: " + std::string(as_chars(*report)).substr(0, report->size() - 1));
            status = 0;
            break;
        }
    }
    worker.join();
    scheduler.shutdown();
    serving.join();

    // 6. What the store can check without any key: everything reachable from both roots.
    for (const auto* root : {&input->reference}) {
        auto reach = storage::check_reachable(store, *root);
        if (!reach) return 1;
        say("store", "inputs: " + std::to_string(reach->objects) + " objects present and valid, no key needed");
    }
    if (argc <= 1) fs::remove_all(work);
    return status;
}
