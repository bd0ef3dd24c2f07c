// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The main job over the network: the same word count as example/remote_execution, with the
// untrusted scheduler served over gRPC (Bonanza's services) on a loopback port, Bob's worker
// synchronizing with it and Alice's client executing through it. Each role only needs the
// scheduler's URL; here they share one process so that the program runs on its own, but the
// three parts are what separate processes (or machines) would each run.
//
// Usage: example_remote_execution_grpc [WORK_DIR]   (default: a fresh directory under /tmp)

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/execution.hpp>
#include <sealpipe/net.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include "../common/certificates.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
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

/// What travels inside the encrypted action: where the input is and how to read it.
std::string job_description(const dag::Link& input, const Aead::Key& key) {
    boost::json::object job;
    job["input"] = input.to_string();
    job["encryptionKey"] = base64_encode(key.reveal(hazmat::secret_access()));
    return boost::json::serialize(job);
}

} // namespace

int main(int argc, char** argv) {
    std::string tmpl = (fs::temp_directory_path() / "sealpipe-grpc-XXXXXX").string();
    const fs::path work = argc > 1 ? fs::path(argv[1]) : fs::path(::mkdtemp(tmpl.data()));
    fs::create_directories(work);

    auto backend = storage::Sqlite::open((work / "objects.db").string());
    if (!backend) return 2;
    storage::BasicStore<storage::Sqlite> store(std::move(*backend));

    auto ca_key = keys::AnyPrivateKey::generate("ed25519").value();
    auto alice_key = keys::AnyPrivateKey::generate("ed25519").value();
    X509* ca_cert = nullptr;
    const std::string ca_pem = example::issue("Example client CA", ca_key, ca_key, nullptr, true, &ca_cert);
    const std::string alice_chain = example::issue("alice", alice_key, ca_key, ca_cert, false, nullptr);
    X509_free(ca_cert);
    const auto alice_key_pem = alice_key.to_pem();
    auto platform = keys::AnyPrivateKey::generate("x25519").value();

    // 1. The scheduler: Bonanza's Execution and OperationQueue services on one loopback port.
    //    It holds no key at all.
    // tag::serve[]
    net::SchedulerServer scheduler;   // Bonanza's defaults: net::bonanza_scheduler_options()
    if (auto started = scheduler.start({.listen = "127.0.0.1:0"}); !started) {
        say("scheduler", "cannot listen: " + started.error().message());
        return 2;
    }
    const std::string url = "grpc://127.0.0.1:" + std::to_string(scheduler.port());
    // end::serve[]
    say("scheduler", "serving Bonanza's services at " + url);

    // 2. Bob's worker: the platform private key and the client CA. It proves possession of the
    //    key, then runs each action it can open on a thread of its own.
    // tag::worker[]
    auto bob = net::RemoteWorker::connect(
        execution::Worker::create({platform}, keys::TrustStore::from_pem(ca_pem).value(), 1h).value(),
        {.url = url}, {.worker_id = {{"name", "bob"}}});
    if (!bob) return 2;
    std::atomic<bool> stop{false};
    std::thread worker([&] {
        auto count_words = [&](const net::RemoteTask& task, net::Progress& progress) {
            net::Outcome outcome;
            outcome.result = net::Outcome::Result::failed;
            auto job = boost::json::parse(as_chars(task.action.plaintext)).as_object();
            auto link = dag::Link::parse(std::string(job["input"].as_string()));
            auto raw_key = base64_decode(std::string(job["encryptionKey"].as_string()));
            if (!link || !raw_key) return outcome;
            Chain chain({}, Aead::Key::from(*raw_key).value());
            wipe(*raw_key);
            dag::Reader reader(chain, store);
            progress.event(as_bytes("reading the input"));
            auto text = dag::TreeReader(reader).get_bytes(*link, std::size_t{1} << 20);
            if (!text) {
                say("bob", "cannot read the input: " + text.error().message());
                return outcome;
            }
            std::istringstream in{std::string(as_chars(*text))};
            std::size_t words = 0;
            for (std::string w; in >> w;) ++words;
            dag::Writer writer(chain, store);
            auto report = dag::TreeWriter(writer).put_bytes(as_bytes(std::to_string(words) + " words\n"));
            if (!report) {
                say("bob", "cannot store the report: " + report.error().message());
                return outcome;
            }
            outcome.result = net::Outcome::Result::succeeded;
            outcome.plaintext = to_bytes(as_bytes(report->to_string()));
            return outcome;
        };
        if (auto r = bob->run(count_words, stop); !r) say("bob", "stopped: " + r.error().message());
    });
    // end::worker[]

    // 3. Alice stores the input as an encrypted DAG, seals an action for the platform key
    //    and follows it through the scheduler.
    auto input_key = Aead::Key::generate().value();
    Chain alice_pipeline({}, input_key);
    dag::Writer alice_writer(alice_pipeline, store);
    auto input = dag::TreeWriter(alice_writer).put_bytes(as_bytes("The scheduler routes actions over gRPC and learns nothing.\n"));
    if (!input) return 1;
    say("alice", "stored her input as an encrypted DAG, root " + input->reference.to_string());

    // tag::client[]
    auto alice = net::RemoteClient::connect(
        execution::Client::from_pem(alice_chain, std::string_view(alice_key_pem.data(), alice_key_pem.size())).value(),
        {.url = url});
    if (!alice) return 2;
    int status = 1;
    // A worker may still be proving its key: the scheduler says FAILED_PRECONDITION until then.
    for (int attempt = 0; attempt < 500 && status == 1; ++attempt) {
        auto execution = alice->execute(platform.public_key(), as_bytes(job_description(*input, input_key)),
                                        {{}, execution::Duration::from_seconds(60)}, execution::NoncePolicy::random);
        if (!execution) break;
        for (;;) {
            auto event = execution->next();
            if (!event) {
                if (event.error() == errc::unknown_platform_key) break;   // not yet: try again
                say("alice", "the action failed: " + event.error().message());
                attempt = 500;
                break;
            }
            if (!event->final) {
                say("alice", "progress: " + std::string(as_chars(event->plaintext)));
                continue;
            }
            auto output = dag::Link::parse(as_chars(event->plaintext));
            dag::Reader reader(alice_pipeline, store);
            auto report = output ? dag::TreeReader(reader).get_bytes(*output, 1 << 20) : result<Bytes>(output.error());
            if (report) {
                say("alice", "operation " + execution->name() + " completed: " + std::string(as_chars(*report)));
                status = 0;
            } else {
                say("alice", "the worker's answer is no readable report: " + report.error().message());
                attempt = 500;
            }
            break;
        }
        if (status == 1 && attempt < 500) std::this_thread::sleep_for(10ms);
    }
    // end::client[]

    stop = true;
    bob->wake();
    worker.join();
    scheduler.shutdown();
    if (argc <= 1) fs::remove_all(work);
    return status;
}
