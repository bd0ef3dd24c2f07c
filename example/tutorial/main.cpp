// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The tutorial (doc/tutorial.md), as one program: Alice and Bob, from a first key to a
// verified remote result. Alice stores her inputs as an encrypted DAG in SQLite and seals an
// action for Bob's kind of worker; an untrusted scheduler routes it after Bob proves his
// platform key; Bob runs the job, stores the output and answers with an encrypted event;
// Alice opens it. Then Bob publishes a signed result and Alice verifies it.
//
// Usage: example_tutorial [WORK_DIR]   (default: a fresh directory under /tmp, removed at the end)

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/execution.hpp>
#include <sealpipe/jose.hpp>
#include <sealpipe/sqooler.hpp>
#include <sealpipe/storage/gc.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include "../common/certificates.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

namespace fs = std::filesystem;
using namespace sealpipe;
using namespace std::chrono_literals;

namespace {

int failed(const char* step, const Error& e) {
    std::fprintf(stderr, "%s: %s\n", step, e.message().c_str());
    return (e == condition::verification_failed ? 1 : 2);
}

void say(const char* who, const std::string& what) { std::printf("%-9s %s\n", who, what.c_str()); }

transport::Deadline deadline() { return std::chrono::steady_clock::now() + 30s; }

/// Words in every regular file under `dir` (what Bob's job computes).
std::size_t count_words(const fs::path& dir) {
    std::size_t words = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path());
        for (std::string w; in >> w;) ++words;
    }
    return words;
}

/// The backend configuration Bob publishes (sqooler's document; "sign": true).
sqooler::BackendConfig wordcount_config() {
    sqooler::BackendConfig c;
    c.description = "Counts the words of a tree of files";
    c.version = "1.0.0";
    c.display_name = "wordcount";
    c.cold_atom_type = "spin";
    c.max_experiments = 1;
    c.max_shots = 1;
    c.simulator = true;
    c.num_wires = 1;
    c.wire_order = "sequential";
    c.num_species = 1;
    c.sign = true;
    return c;
}

/// Runs the scheduler on a thread of its own and stops it when it goes out of scope.
template <class Scheduler>
struct Serving {
    explicit Serving(Scheduler& s) : scheduler(s), thread([&s] { s.run(); }) {}
    ~Serving() {
        scheduler.shutdown();
        thread.join();
    }
    Scheduler& scheduler;
    std::thread thread;
};

} // namespace

int main(int argc, char** argv) {
    std::string tmpl = (fs::temp_directory_path() / "sealpipe-tutorial-XXXXXX").string();
    const fs::path work = argc > 1 ? fs::path(argv[1]) : fs::path(::mkdtemp(tmpl.data()));
    fs::create_directories(work / "inputs" / "notes");
    std::ofstream(work / "inputs" / "README") << "Work on infrastructure you do not trust\n";
    std::ofstream(work / "inputs" / "notes" / "storage.txt") << "Storage keeps objects and learns their sizes.\n";
    std::ofstream(work / "inputs" / "notes" / "scheduler.txt") << "The scheduler routes actions it cannot read.\n";

    // tag::keys[]
    // Bob's kind of worker is known by one key pair, its platform key. Alice has a key of
    // her own, certified by a client CA that Bob trusts. Keys are values of a key type:
    // keys::PrivateKey<keys::X25519> when the type is known at compile time,
    // keys::AnyPrivateKey when it is read or chosen at run time.
    auto platform = keys::AnyPrivateKey::generate("x25519").value();
    auto ca_key = keys::AnyPrivateKey::generate("ed25519").value();
    auto alice_key = keys::AnyPrivateKey::generate("ed25519").value();
    const auto alice_key_pem = alice_key.to_pem();   // PKCS#8 "PRIVATE KEY", in wiping storage
    say("bob", "made an " + std::string(platform.type_name()) + " platform key; Alice knows only its public half");
    // end::keys[]

    // tag::certificates[]
    // The CA certifies itself and Alice's key for client authentication (issued here with
    // OpenSSL by a helper of the examples: sealpipe verifies certificates, it does not issue
    // them). Bob will accept actions only from chains that verify against this CA.
    X509* ca_cert = nullptr;
    const std::string ca_pem = example::issue("Tutorial client CA", ca_key, ca_key, nullptr, true, &ca_cert);
    const std::string alice_chain = example::issue("alice", alice_key, ca_key, ca_cert, false, nullptr);
    X509_free(ca_cert);

    auto trust = keys::TrustStore::from_pem(ca_pem);
    auto chain = keys::CertificateChain::from_pem(alice_chain);
    if (!trust || !chain) return 2;
    if (auto ok = trust->verify_client(*chain, std::chrono::system_clock::now()); !ok)
        return failed("alice's chain", ok.error());
    say("alice", "holds a client certificate that Bob's CA vouches for");
    // end::certificates[]

    // tag::store[]
    // Storage is run by someone else: a SQLite file here. Every object is checked against
    // its reference when it is written and read. Alice's inputs become an encrypted DAG
    // under a fresh key: Simple LZW, then AES-256-GCM-SIV in deterministic mode.
    using Aead = aead::AesGcmSiv<256>;
    using Chain = encoding::DeterministicPipeline<encoding::SimpleLzw, Aead>;
    auto backend = storage::Sqlite::open((work / "objects.db").string());
    if (!backend) return failed("open the store", backend.error());
    storage::SqliteStore store(std::move(*backend));

    auto input_key = Aead::Key::generate();   // a fresh key, wiped when it goes out of scope
    if (!input_key) return failed("key", input_key.error());
    Chain alice_pipeline({}, *input_key);
    dag::Writer alice_writer(alice_pipeline, store);
    auto input = dag::TreeWriter(alice_writer).put_path(work / "inputs");
    if (!input) return failed("store the inputs", input.error());
    // The link is the root's reference and its decoding parameters: with the key, it opens
    // the whole tree. It travels only inside the encrypted action.
    say("alice", "stored inputs/ as an encrypted DAG, root " + input->reference.to_string().substr(0, 24) + "...");
    // end::store[]

    // tag::scheduler[]
    // The scheduler runs on a thread of its own; Alice and Bob reach it only through a
    // transport (in-process bounded queues here). Before Bob gets any work he proves that
    // he holds the platform private key: the scheduler sends an ephemeral key, Bob answers
    // with the verification zeros.
    using Transport = transport::InProcess;
    execution::Scheduler<Transport> scheduler;
    Serving serving(scheduler);

    auto bob = execution::Worker::create({platform}, *trust, 1h);   // keys, trusted CAs, longest timeout
    if (!bob) return failed("bob", bob.error());
    execution::WorkerEndpoint<Transport> bob_endpoint(std::move(*bob), "bob-1", scheduler.connect());
    if (auto proven = bob_endpoint.synchronize(deadline()); !proven) return failed("proof", proven.error());
    say("scheduler", "bob-1 proved possession of the platform key");
    // end::scheduler[]

    // tag::seal[]
    // Alice seals the action for the platform PUBLIC key: the job (the input link and key)
    // is encrypted under ECDH(Alice's key, platform key) with the action purpose; the
    // fingerprint and the timeout stay readable, for the scheduler.
    auto alice = execution::Client::from_pem(alice_chain, std::string_view(alice_key_pem.data(), alice_key_pem.size()));
    if (!alice) return failed("alice", alice.error());
    execution::ClientEndpoint<Transport> alice_endpoint(std::move(*alice), scheduler.connect());

    boost::json::object job_request;
    job_request["input"] = input->to_string();
    job_request["encryptionKey"] = base64_encode(input_key->reveal(hazmat::secret_access()));
    const std::string request_text = boost::json::serialize(job_request);
    execution::AdditionalData ad{Bytes{0x77, 0x63}, execution::Duration::from_seconds(60)};
    auto execution = alice_endpoint.execute(platform.public_key(), as_bytes(request_text), ad,
                                            execution::NoncePolicy::random, deadline());
    if (!execution) return failed("execute", execution.error());
    say("alice", "sealed an action of " + std::to_string(execution->action().bytes().size()) +
                     " bytes and submitted it");
    // end::seal[]

    // tag::worker[]
    // Bob takes the next action for his keys. next_job opens it: the structure, the timeout,
    // the platform key, Alice's chain against the CA at the current time, then the
    // ciphertext. An action that fails any check is rejected, and Alice is told why.
    std::optional<execution::ReceivedAction> job;
    while (!job) {
        auto next = bob_endpoint.next_action(deadline());
        if (!next) return failed("bob", next.error());
        if (*next) job.emplace(std::move(**next));
        else std::this_thread::sleep_for(1ms);
    }
    auto request = boost::json::parse(as_chars(job->action.plaintext)).as_object();
    auto input_link = dag::Link::parse(std::string(request["input"].as_string()));
    auto raw_key = base64_decode(std::string(request["encryptionKey"].as_string()));
    if (!input_link || !raw_key) return 2;
    Chain bob_pipeline({}, Aead::Key::from(*raw_key).value());
    wipe(*raw_key);
    dag::Reader bob_reader(bob_pipeline, store);
    dag::Writer bob_writer(bob_pipeline, store);

    // Run the job: restore the inputs (every object verified, then decrypted), count.
    (void)bob_endpoint.progress(*job, as_bytes("restoring the inputs"), deadline());
    if (auto r = dag::TreeReader(bob_reader).restore(*input_link, work / "bob-inputs"); !r)
        return failed("restore", r.error());
    const std::string report = std::to_string(count_words(work / "bob-inputs")) + " words\n";

    // Store the output as a DAG of its own and answer with its link, sealed for Alice.
    auto output = dag::TreeWriter(bob_writer).put_bytes(as_bytes(report));
    if (!output) return failed("store the output", output.error());
    if (auto r = bob_endpoint.complete(*job, as_bytes(output->to_string()), deadline()); !r)
        return failed("complete", r.error());
    say("bob", "ran the job and answered with the output link");
    // end::worker[]

    // tag::open[]
    // Alice opens the events of her action, in order. Each opens only with her key, only
    // for this action and only as its own kind (execution or completion).
    std::string result_text;
    for (;;) {
        auto event = execution->next(deadline());
        if (!event) return failed("event", event.error());
        if (!event->final) {
            say("alice", "progress: " + std::string(as_chars(event->plaintext)));
            continue;
        }
        auto output_link = dag::Link::parse(std::string(as_chars(event->plaintext)));
        if (!output_link) return failed("output link", output_link.error());
        dag::Reader alice_reader(alice_pipeline, store);
        auto bytes = dag::TreeReader(alice_reader).get_bytes(*output_link, 1 << 20);
        if (!bytes) return failed("read the output", bytes.error());
        result_text = std::string(as_chars(*bytes));
        break;
    }
    say("alice", "opened the completion event and read the output: " + result_text.substr(0, result_text.size() - 1));
    // end::open[]

    // tag::check[]
    // Without any key, storage can still prove that both trees are complete and intact.
    for (const dag::Link* root : {&*input, &*output}) {
        auto reach = storage::check_reachable(store, root->reference);
        if (!reach) return failed("check", reach.error());
        say("store", std::to_string(reach->objects) + " objects reachable from a root, all present and valid");
    }
    // end::check[]

    // tag::publish[]
    // A signed result, sqooler's way: Bob publishes his public key under its kid and a
    // configuration that says "sign": true; every result of that backend is then stored as
    // a JWSDict signed with his Ed25519 key.
    auto bob_jwk = jose::PrivateJwk::generate("bob-wordcount");
    if (!bob_jwk) return failed("jwk", bob_jwk.error());
    fs::create_directories(work / "results");
    sqooler::Provider results(sqooler::FolderDocuments{(work / "results").string()});
    if (auto r = results.upload_public_key(bob_jwk->public_jwk()); !r) return failed("publish the key", r.error());
    if (auto r = results.upload_config("wordcount", wordcount_config(), &*bob_jwk); !r)
        return failed("publish the config", r.error());

    const std::string job_id = "000000000000000000000001";
    sqooler::ResultDocument result;
    result.display_name = "wordcount";
    result.backend_version = "1.0.0";
    result.job_id = job_id;
    result.success = true;
    result.status = "DONE";
    sqooler::ExperimentResult counted;
    counted.shots = 1;
    counted.success = true;
    counted.data.memory = {result_text.substr(0, result_text.size() - 1), output->to_string()};
    result.results.push_back(counted);
    if (auto r = results.upload_result("wordcount", job_id, result, &*bob_jwk); !r)
        return failed("publish the result", r.error());
    say("bob", "published a signed result under kid 'bob-wordcount'");
    // end::publish[]

    // tag::verify[]
    // Alice trusts the result only once it verifies: display name -> configuration -> kid
    // -> published public key -> signature over the stored result. Only then does she get
    // its payload, as a Verified<ResultDocument>.
    auto verified = results.verify_result("wordcount", job_id);
    if (!verified) return failed("verify", verified.error());
    say("alice", "verified the result signed by '" + verified->kid() + "': " +
                     verified->payload().results.at(0).data.memory.at(0));
    // end::verify[]

    if (argc <= 1) fs::remove_all(work);
    return 0;
}
