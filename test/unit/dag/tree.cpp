// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/dag/tree.hpp: files of every shape, directories, determinism, and
// restores that refuse hostile names, symlinks and inconsistent nodes.
#include <sealpipe/dag/tree.hpp>

#include "support/dag.hpp"
#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace sealpipe;
using test::MapStore;
using test::SivLikeCodec;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "sealpipe-dag-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void write_file(const fs::path& p, ByteView data, bool executable = false) {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data.data()),
                                              static_cast<std::streamsize>(data.size()));
    fs::permissions(p, executable ? fs::perms(0755) : fs::perms(0644));
}

Bytes read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

/// Builds a sample tree under `root`.
void sample_tree(const fs::path& root) {
    fs::create_directories(root / "src" / "deep" / "deeper");
    fs::create_directories(root / "empty");
    write_file(root / "README", as_bytes("hello\n"));
    write_file(root / "run.sh", as_bytes("#!/bin/sh\necho hi\n"), true);
    write_file(root / "empty.txt", {});
    write_file(root / "src" / "big.bin", test::pattern(300'000, 7));
    write_file(root / "src" / "same1", as_bytes("identical"));
    write_file(root / "src" / "same2", as_bytes("identical"));
    write_file(root / "src" / "deep" / "deeper" / "leaf", test::pattern(100, 3));
    fs::create_symlink("README", root / "link");
    fs::create_symlink("../README", root / "src" / "up");
}

/// Compares two trees: names, kinds, contents, executable bits, symlink targets.
void check_same_tree(const fs::path& a, const fs::path& b) {
    std::vector<fs::path> names_a, names_b;
    for (auto& e : fs::recursive_directory_iterator(a)) names_a.push_back(fs::relative(e.path(), a));
    for (auto& e : fs::recursive_directory_iterator(b)) names_b.push_back(fs::relative(e.path(), b));
    std::sort(names_a.begin(), names_a.end());
    std::sort(names_b.begin(), names_b.end());
    BOOST_TEST(names_a == names_b, boost::test_tools::per_element());
    for (const auto& n : names_a) {
        BOOST_TEST_CONTEXT(n) {
            const auto sa = fs::symlink_status(a / n), sb = fs::symlink_status(b / n);
            BOOST_TEST((sa.type() == sb.type()));
            if (sa.type() == fs::file_type::regular) {
                BOOST_TEST(read_file(a / n) == read_file(b / n));
                BOOST_TEST(((sa.permissions() & fs::perms::owner_exec) == (sb.permissions() & fs::perms::owner_exec)));
            } else if (sa.type() == fs::file_type::symlink) {
                BOOST_TEST(fs::read_symlink(a / n) == fs::read_symlink(b / n));
            }
        }
    }
}

/// Writes a directory node by hand, for hostile inputs.
struct RawEntry {
    std::string name;
    dag::EntryType type;
    Byte flags = 0;
    std::string target;
    std::size_t child = 0;
};
template <class W>
dag::Link raw_directory(W& writer, std::span<const dag::Link> children, const std::vector<RawEntry>& entries) {
    Bytes body{static_cast<Byte>(dag::NodeKind::directory)};
    codec::varint::append_forward(body, entries.size());
    for (const auto& e : entries) {
        codec::varint::append_forward(body, e.name.size());
        append(body, as_bytes(e.name));
        body.push_back(static_cast<Byte>(e.type));
        body.push_back(e.flags);
        if (e.type == dag::EntryType::symlink) {
            codec::varint::append_forward(body, e.target.size());
            append(body, as_bytes(e.target));
        } else {
            codec::varint::append_forward(body, e.child);
        }
    }
    return writer.write(children, body).value();
}

} // namespace

BOOST_AUTO_TEST_SUITE(dag_tree)

BOOST_AUTO_TEST_CASE(files_of_every_shape_round_trip) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::Reader reader(codec, store);
    // Small chunks and fan-out force multi-level chunk trees.
    dag::TreeWriter tree(writer, {.chunk_bytes = 16, .fan_out = 4});
    dag::TreeReader out(reader);
    for (std::size_t n : {0, 1, 15, 16, 17, 64, 65, 255, 256, 257, 1000, 5000}) {
        BOOST_TEST_CONTEXT("size " << n) {
            const Bytes data = test::pattern(n, static_cast<std::uint32_t>(n));
            auto link = tree.put_bytes(data);
            BOOST_REQUIRE(link.has_value());
            BOOST_TEST(out.get_bytes(*link, 1 << 20).value() == data);
            BOOST_TEST((tree.put_bytes(data).value() == *link));   // deterministic
            if (n > 64) BOOST_TEST(link->reference.height() >= 2u);
        }
    }
    // Limits are honoured.
    auto big = tree.put_bytes(test::pattern(1000)).value();
    BOOST_TEST((out.get_bytes(big, 999).error() == error::size_limit_exceeded));
}

BOOST_AUTO_TEST_CASE(repeated_chunks_are_stored_once) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::TreeWriter tree(writer, {.chunk_bytes = 100, .fan_out = 4096});
    const Bytes data(100 * 50, 0x42);   // fifty identical chunks
    auto link = tree.put_bytes(data).value();
    BOOST_TEST(link.reference.degree() == 1u);
    BOOST_TEST(store.objects.size() == 2u);
    dag::Reader reader(codec, store);
    BOOST_TEST(dag::TreeReader(reader).get_bytes(link, 1 << 20).value() == data);
}

BOOST_AUTO_TEST_CASE(directories_round_trip_deterministically) {
    TempDir a, b, restored;
    sample_tree(a.path / "t");
    sample_tree(b.path / "t");
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::TreeWriter tree(writer, {.chunk_bytes = 4096, .fan_out = 8});
    auto la = tree.put_path(a.path / "t");
    BOOST_REQUIRE(la.has_value());
    auto lb = tree.put_path(b.path / "t");
    BOOST_TEST((la.value() == lb.value()));   // same tree, same root, wherever it lives

    dag::Reader reader(codec, store);
    dag::TreeReader out(reader);
    BOOST_REQUIRE(out.restore(*la, restored.path / "copy").has_value());
    check_same_tree(a.path / "t", restored.path / "copy");
    // Restoring onto an existing path is refused rather than merged.
    BOOST_TEST((out.restore(*la, restored.path / "copy").error() == error::io_error));

    // A single file as the root restores to a file. The executable bit belongs to directory
    // entries (doc/dag.md), so a root file comes back as a plain 0644 file.
    auto lf = tree.put_path(a.path / "t" / "run.sh").value();
    BOOST_REQUIRE(out.restore(lf, restored.path / "run").has_value());
    BOOST_TEST(read_file(restored.path / "run") == read_file(a.path / "t" / "run.sh"));
    BOOST_TEST(((fs::status(restored.path / "run").permissions() & fs::perms::owner_exec) == fs::perms::none));
}

BOOST_AUTO_TEST_CASE(a_changed_tree_changes_the_root) {
    TempDir a;
    sample_tree(a.path / "t");
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::TreeWriter tree(writer);
    auto before = tree.put_path(a.path / "t").value();
    fs::permissions(a.path / "t" / "README", fs::perms(0755));
    auto after = tree.put_path(a.path / "t").value();
    BOOST_TEST((before.reference != after.reference));
}

BOOST_AUTO_TEST_CASE(restore_rejects_hostile_names_and_links) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::TreeWriter tree(writer);
    dag::Reader reader(codec, store);
    auto file = tree.put_bytes(as_bytes("payload")).value();
    const std::vector<dag::Link> one{file};
    const std::vector<std::vector<RawEntry>> hostile = {
        {{"..", dag::EntryType::file}},
        {{".", dag::EntryType::directory}},
        {{"", dag::EntryType::file}},
        {{"a/b", dag::EntryType::file}},
        {{"/etc", dag::EntryType::file}},
        {{std::string("nul\0x", 5), dag::EntryType::file}},
        {{std::string(256, 'n'), dag::EntryType::file}},
        {{"b", dag::EntryType::file}, {"a", dag::EntryType::file}},          // unsorted
        {{"a", dag::EntryType::file}, {"a", dag::EntryType::file}},          // duplicate
        {{"l", dag::EntryType::symlink, 0, "/etc/passwd"}},                  // absolute target
        {{"l", dag::EntryType::symlink, 0, "../outside"}},                   // escapes the root
        {{"l", dag::EntryType::symlink, 0, "a/../../x"}},                    // escapes, lexically
        {{"x", dag::EntryType::file, 0, "", 1}},                             // child index out of range
        {{"x", dag::EntryType::symlink, 1, "ok"}},                           // flags on a symlink
    };
    for (std::size_t i = 0; i < hostile.size(); ++i) {
        BOOST_TEST_CONTEXT("case " << i) {
            TempDir out;
            auto root = raw_directory(writer, one, hostile[i]);
            auto r = dag::TreeReader(reader).restore(root, out.path / "r");
            BOOST_TEST(!r.has_value());
            if (!r) BOOST_TEST((r.error() == condition::bad_input || r.error() == error::object_corrupt));
            // Nothing escaped: the scratch directory holds at most the (partial) restore.
            for (auto& e : fs::directory_iterator(out.path)) BOOST_TEST(e.path().filename() == "r");
            BOOST_TEST(!fs::exists(out.path.parent_path() / "outside"));
        }
    }
    // Harmless relative links inside the tree are fine.
    TempDir out;
    auto ok = raw_directory(writer, one, {{"a", dag::EntryType::file, 0, "", 0}, {"l", dag::EntryType::symlink, 0, "./a"}});
    BOOST_TEST(dag::TreeReader(reader).restore(ok, out.path / "r").has_value());
    BOOST_TEST(fs::read_symlink(out.path / "r" / "l") == "./a");
}

BOOST_AUTO_TEST_CASE(restore_rejects_inconsistent_files) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::Reader reader(codec, store);
    auto chunk = writer.write({}, Bytes{'C', 'x', 'y'}).value();
    auto file_node = [&](std::uint64_t declared, std::vector<std::uint64_t> indices, Byte kind = 'F') {
        Bytes body{kind};
        codec::varint::append_forward(body, declared);
        codec::varint::append_forward(body, indices.size());
        for (auto i : indices) codec::varint::append_forward(body, i);
        return writer.write(std::vector{chunk}, body).value();
    };
    dag::TreeReader out(reader);
    BOOST_TEST(out.get_bytes(file_node(2, {0}), 100).value() == (Bytes{'x', 'y'}));
    BOOST_TEST(out.get_bytes(file_node(4, {0, 0}), 100).value() == (Bytes{'x', 'y', 'x', 'y'}));
    BOOST_TEST((out.get_bytes(file_node(3, {0}), 100).error() == error::object_corrupt));   // size lies
    BOOST_TEST((out.get_bytes(file_node(1, {0}), 100).error() == error::object_corrupt));
    BOOST_TEST((out.get_bytes(file_node(2, {1}), 100).error() == error::object_corrupt));   // bad index
    BOOST_TEST((out.get_bytes(file_node(2, {0}, 'D'), 100).error() == error::object_corrupt));
    // A chunk where a file is expected.
    BOOST_TEST((out.get_bytes(chunk, 100).error() == error::object_corrupt));
    // Trailing bytes after the entries.
    Bytes body{'F'};
    codec::varint::append_forward(body, 2);
    codec::varint::append_forward(body, 1);
    codec::varint::append_forward(body, 0);
    body.push_back(0);
    auto trailing = writer.write(std::vector{chunk}, body).value();
    BOOST_TEST((out.get_bytes(trailing, 100).error() == error::object_corrupt));
}

BOOST_AUTO_TEST_CASE(large_files_stay_within_the_object_limit) {
    TempDir dir;
    const Bytes data = test::pattern((std::size_t{5} << 20) + 123, 9);   // 5 MiB + a bit
    write_file(dir.path / "big", data);
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    std::uint64_t last_progress = 0;
    dag::TreeWriter tree(writer, {.progress = [&](std::uint64_t n) { last_progress = n; }});
    auto link = tree.put_path(dir.path / "big").value();
    BOOST_TEST(last_progress == data.size());
    for (const auto& [ref, bytes] : store.objects) BOOST_TEST(bytes.size() <= object::Sha256V1::max_object_bytes);
    dag::Reader reader(codec, store);
    BOOST_REQUIRE(dag::TreeReader(reader).restore(link, dir.path / "copy").has_value());
    BOOST_TEST(read_file(dir.path / "copy") == data);
}

BOOST_AUTO_TEST_SUITE_END()
