// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The README's first program: data through Pipeline<Zstd<>, AesGcmSiv<256>> into SQLite and back.
// Usage: example_quickstart [DATABASE]   (default: a fresh file in /tmp)

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

int main(int argc, char** argv) try {
    using namespace sealpipe;
    const std::string database = argc > 1 ? argv[1] : "/tmp/sealpipe-quickstart.db";
    std::filesystem::remove(database);

    // tag::quickstart[]
    using Aead = aead::AesGcmSiv<256>;
    encoding::Pipeline<encoding::Zstd<>, Aead> pipeline({}, Aead::Key::generate().value());
    storage::SqliteStore store(storage::Sqlite::open(database).value());

    dag::Writer writer(pipeline, store);   // compress, encrypt, verify, store
    dag::Link link = dag::TreeWriter(writer).put_bytes(as_bytes("hello, untrusted storage")).value();

    dag::Reader reader(pipeline, store);   // fetch, verify, decrypt, decompress
    Bytes back = dag::TreeReader(reader).get_bytes(link, 1 << 20).value();
    // end::quickstart[]

    std::printf("stored as %s\nread back: %.*s\n", link.to_string().c_str(), static_cast<int>(back.size()),
                reinterpret_cast<const char*>(back.data()));
    std::filesystem::remove(database);
    return std::string(as_chars(back)) == "hello, untrusted storage" ? 0 : 1;
} catch (const std::exception& e) {   // `.value()` throws the error it holds
    std::fprintf(stderr, "example_quickstart: %s\n", e.what());
    return 2;
}
