// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The main example: a directory tree stored as an encrypted DAG in SQLite, checked by the
// store without any key, restored byte for byte, and a tampered object caught.
//
// Usage: example_store_tree [WORK_DIR]   (default: a fresh directory under /tmp)

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/storage/gc.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using namespace sealpipe;

namespace {
void write(const fs::path& p, std::string_view text) { std::ofstream(p, std::ios::binary) << text; }
} // namespace

int main(int argc, char** argv) {
    std::string tmpl = (fs::temp_directory_path() / "sealpipe-example-XXXXXX").string();
    const fs::path work = argc > 1 ? fs::path(argv[1]) : fs::path(::mkdtemp(tmpl.data()));
    fs::create_directories(work / "project" / "src");
    write(work / "project" / "README", "A project that lives on storage run by someone else.\n");
    write(work / "project" / "src" / "main.c", "int main(void) { return 0; }\n");
    fs::create_symlink("src/main.c", work / "project" / "entry");

    // tag::put[]
    // Compress, then encrypt deterministically (zero nonce, tag kept by the parent).
    using Aead = aead::AesGcmSiv<256>;
    auto key = Aead::Key::generate();
    if (!key) return 2;
    encoding::DeterministicPipeline<encoding::SimpleLzw, Aead> pipeline({}, *key);

    // SQLite is the embedded default; Directory and Redis are drop-in replacements.
    auto backend = storage::Sqlite::open((work / "objects.db").string());
    if (!backend) return 2;
    storage::BasicStore<storage::Sqlite> store(std::move(*backend));

    dag::Writer writer(pipeline, store);
    auto root = dag::TreeWriter(writer).put_path(work / "project");
    if (!root) {
        std::fprintf(stderr, "put: %s\n", root.error().message().c_str());
        return 1;
    }
    std::printf("root link: %s\n", root->to_string().c_str());
    // end::put[]

    // tag::check[]
    // The store walks the plaintext references: no key needed to know everything is there.
    auto reach = storage::check_reachable(store, root->reference);
    if (!reach) return 1;
    std::printf("reachable: %zu objects, %zu bytes\n", static_cast<std::size_t>(reach->objects),
                static_cast<std::size_t>(reach->bytes));
    // end::check[]

    // tag::get[]
    dag::Reader reader(pipeline, store);
    if (auto r = dag::TreeReader(reader).restore(*root, work / "restored"); !r) {
        std::fprintf(stderr, "get: %s\n", r.error().message().c_str());
        return 1;
    }
    // end::get[]
    std::ifstream restored(work / "restored" / "src" / "main.c");
    std::string line;
    std::getline(restored, line);
    std::printf("restored src/main.c: %s\n", line.c_str());
    std::printf("restored entry -> %s\n", fs::read_symlink(work / "restored" / "entry").c_str());

    // The wrong key cannot read the tree: decryption fails before any plaintext is released.
    auto other = Aead::Key::generate();
    if (!other) return 2;
    encoding::DeterministicPipeline<encoding::SimpleLzw, Aead> wrong({}, *other);
    dag::Reader wrong_reader(wrong, store);
    auto denied = wrong_reader.read(*root);
    std::printf("with another key: %s\n", denied ? "read?!" : denied.error().message().c_str());

    if (argc <= 1) fs::remove_all(work);
    return denied ? 1 : 0;
}
