// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/dag/tree.hpp: files of every shape, directories with modes and times,
// split listings, deep trees, symlinks kept as they were, files that change or are swapped
// while they are read, sparse and partial restores, and restores that refuse hostile names
// and inconsistent nodes.
#include <sealpipe/dag/tree.hpp>
#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/encoding/simple_lzw.hpp>
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/storage/write_session.hpp>

#include "support/dag.hpp"
#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <set>

#include <sys/stat.h>
#include <sys/time.h>

using namespace sealpipe;
using test::MapStore;
using test::SivLikeCodec;
namespace fs = std::filesystem;

namespace {

/// A scratch directory, in memory (/dev/shm) where there is one: these tests make and remove
/// thousands of inodes, which a busy disk file system makes slow.
struct TempDir {
    fs::path path;
    TempDir() {
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                                  ? fs::path("/dev/shm")
                                  : fs::temp_directory_path();
        std::string tmpl = (base / "sealpipe-dag-XXXXXX").string();
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

/// Compares two trees: names, kinds, contents, permission bits, mtimes, symlink targets.
void check_same_tree(const fs::path& a, const fs::path& b) {
    std::vector<fs::path> names_a, names_b;
    for (auto& e : fs::recursive_directory_iterator(a)) names_a.push_back(e.path().lexically_relative(a));
    for (auto& e : fs::recursive_directory_iterator(b)) names_b.push_back(e.path().lexically_relative(b));
    std::sort(names_a.begin(), names_a.end());
    std::sort(names_b.begin(), names_b.end());
    BOOST_TEST(names_a == names_b, boost::test_tools::per_element());
    names_a.emplace_back(".");
    for (const auto& n : names_a) {
        BOOST_TEST_CONTEXT(n) {
            struct stat sa {}, sb {};
            BOOST_REQUIRE(::lstat((a / n).c_str(), &sa) == 0);
            BOOST_REQUIRE(::lstat((b / n).c_str(), &sb) == 0);
            BOOST_TEST((sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT));
            BOOST_TEST(sa.st_mtim.tv_sec == sb.st_mtim.tv_sec);
            BOOST_TEST(sa.st_mtim.tv_nsec == sb.st_mtim.tv_nsec);
            if (S_ISLNK(sa.st_mode)) {
                BOOST_TEST(fs::read_symlink(a / n) == fs::read_symlink(b / n));
                continue;
            }
            BOOST_TEST((sa.st_mode & 07777) == (sb.st_mode & 07777));
            if (S_ISREG(sa.st_mode)) BOOST_TEST(read_file(a / n) == read_file(b / n));
        }
    }
}

/// Sets an mtime with nanoseconds, without following a symlink.
void set_mtime(const fs::path& p, std::int64_t seconds, long nanoseconds) {
    const timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(seconds), nanoseconds}};
    BOOST_REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
}

/// Every object of a store holds at most `limit` bytes.
std::size_t largest_object(const MapStore& store) {
    std::size_t n = 0;
    for (const auto& [ref, bytes] : store.objects) n = std::max(n, bytes.size());
    return n;
}

/// Writes a directory node by hand, for hostile inputs: `entries` in the current format, or
/// in the 0.1 format (kind 'D', type and flags instead of mode and time) with `legacy`.
struct RawEntry {
    std::string name;
    dag::EntryType type;
    Byte flags = 0;            // 0.1 format: bit 0 executable
    std::string target;
    std::size_t child = 0;
    std::uint64_t mode = 0644; // current format
};
template <class W>
dag::Link raw_directory(W& writer, std::span<const dag::Link> children, const std::vector<RawEntry>& entries,
                        bool legacy = true) {
    Bytes body{static_cast<Byte>(legacy ? dag::NodeKind::directory_0_1 : dag::NodeKind::entries)};
    codec::varint::append_forward(body, entries.size());
    for (const auto& e : entries) {
        codec::varint::append_forward(body, e.name.size());
        append(body, as_bytes(e.name));
        body.push_back(static_cast<Byte>(e.type));
        if (legacy) {
            body.push_back(e.flags);
        } else {
            codec::varint::append_forward(body, e.mode);
            codec::varint::append_forward(body, std::int64_t{1'700'000'000});
            codec::varint::append_forward(body, std::uint64_t{0});
        }
        if (e.type == dag::EntryType::symlink) {
            codec::varint::append_forward(body, e.target.size());
            append(body, as_bytes(e.target));
        } else {
            codec::varint::append_forward(body, e.child);
        }
    }
    return writer.write(children, body).value();
}

/// A chain of `depth` directories "d", each also holding `links` symlinks of `target_bytes`,
/// with a file at the bottom.
void deep_tree(const fs::path& root, std::size_t depth, std::size_t links = 0, std::size_t target_bytes = 0) {
    // Built with *at() calls: the path grows past what whole-path calls accept.
    int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY);
    BOOST_REQUIRE(dir >= 0);
    const std::string target(target_bytes, 'x');
    for (std::size_t level = 0; level < depth; ++level) {
        for (std::size_t i = 0; i < links; ++i)
            BOOST_REQUIRE(::symlinkat(target.c_str(), dir, ("l" + std::to_string(i)).c_str()) == 0);
        BOOST_REQUIRE(::mkdirat(dir, "d", 0755) == 0);
        const int next = ::openat(dir, "d", O_RDONLY | O_DIRECTORY);
        BOOST_REQUIRE(next >= 0);
        ::close(dir);
        dir = next;
    }
    const int f = ::openat(dir, "leaf", O_WRONLY | O_CREAT, 0644);
    BOOST_REQUIRE(f >= 0);
    BOOST_REQUIRE(::write(f, "leaf", 4) == 4);
    ::close(f);
    ::close(dir);
}

/// Removes a tree too deep for whole-path calls.
void remove_deep(const fs::path& p) {
    int dir = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    dag::detail::remove_tree(dir, p.filename().string());
    ::close(dir);
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
    BOOST_TEST((out.get_bytes(big, 999).error() == errc::size_limit_exceeded));
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
    // Same content and metadata, wherever it lives: the times are part of the metadata.
    for (auto& e : fs::recursive_directory_iterator(a.path / "t")) {
        const auto rel = e.path().lexically_relative(a.path / "t");
        set_mtime(e.path(), 1'600'000'000, 123);
        set_mtime(b.path / "t" / rel, 1'600'000'000, 123);
    }
    set_mtime(a.path / "t", 1'600'000'000, 5);
    set_mtime(b.path / "t", 1'600'000'000, 5);
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
    BOOST_TEST((out.restore(*la, restored.path / "copy").error() == errc::io_error));
    // "DIR/" names DIR.
    BOOST_REQUIRE(out.restore(*la, (restored.path / "slash").string() + "/").has_value());
    check_same_tree(a.path / "t", restored.path / "slash");

    // A single file as the root keeps its mode and time.
    auto lf = tree.put_path(a.path / "t" / "run.sh").value();
    BOOST_REQUIRE(out.restore(lf, restored.path / "run").has_value());
    BOOST_TEST(read_file(restored.path / "run") == read_file(a.path / "t" / "run.sh"));
    struct stat st {};
    BOOST_REQUIRE(::stat((restored.path / "run").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 07777) == 0755u);
    BOOST_TEST(st.st_mtim.tv_sec == 1'600'000'000);
    // So does a symlink.
    auto ll = tree.put_path(a.path / "t" / "link").value();
    BOOST_REQUIRE(out.restore(ll, restored.path / "link").has_value());
    BOOST_TEST(fs::read_symlink(restored.path / "link") == "README");
}

BOOST_AUTO_TEST_CASE(modes_and_times_round_trip) {
    TempDir src, restored;
    const fs::path t = src.path / "t";
    fs::create_directories(t / "private" / "inner");
    fs::create_directories(t / "shared");
    const std::vector<std::pair<std::string, fs::perms>> files = {
        {"secret", fs::perms(0600)}, {"tool", fs::perms(0700)}, {"script", fs::perms(0755)},
        {"readonly", fs::perms(0444)}, {"group", fs::perms(0640)}, {"sticky-setgid", fs::perms(03755)},
    };
    for (const auto& [name, mode] : files) {
        write_file(t / name, as_bytes(name));
        fs::permissions(t / name, mode);
    }
    write_file(t / "private" / "inner" / "key", as_bytes("k"));
    fs::permissions(t / "private", fs::perms(0700));
    fs::permissions(t / "private" / "inner", fs::perms(0500));   // read-only directory, filled all the same
    fs::permissions(t / "shared", fs::perms(01777));
    fs::create_symlink("secret", t / "link");
    set_mtime(t / "secret", 1'234'567'890, 987'654'321);
    set_mtime(t / "tool", -86'400, 0);            // before the epoch
    set_mtime(t / "link", 1'000'000'000, 42);
    set_mtime(t / "shared", 2'000'000'000, 7);
    set_mtime(t / "private" / "inner", 1'500'000'000, 1);
    set_mtime(t / "private", 1'500'000'001, 1);
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto root = dag::TreeWriter(writer).put_path(t);
    BOOST_REQUIRE(root.has_value());
    dag::Reader reader(codec, store);
    const mode_t old_umask = ::umask(022);
    auto r = dag::TreeReader(reader).restore(*root, restored.path / "t");
    ::umask(old_umask);
    BOOST_REQUIRE(r.has_value());
    check_same_tree(t, restored.path / "t");
    // A changed time changes the root.
    set_mtime(t / "group", 1, 0);
    BOOST_TEST((dag::TreeWriter(writer).put_path(t).value() != *root));
    fs::permissions(t / "private" / "inner", fs::perms(0700));
    fs::permissions(restored.path / "t" / "private" / "inner", fs::perms(0700));
}

BOOST_AUTO_TEST_CASE(a_changed_tree_changes_the_root) {
    TempDir a;
    sample_tree(a.path / "t");
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::TreeWriter tree(writer);
    auto before = tree.put_path(a.path / "t").value();
    BOOST_TEST((tree.put_path(a.path / "t").value() == before));
    fs::permissions(a.path / "t" / "README", fs::perms(0600));
    auto after = tree.put_path(a.path / "t").value();
    BOOST_TEST((before.reference != after.reference));
}

BOOST_AUTO_TEST_CASE(symlinks_come_back_as_they_were_and_are_never_followed) {
    TempDir src, out, victim;
    const fs::path t = src.path / "t";
    fs::create_directories(t / "a" / "b");
    write_file(t / "a" / "file", as_bytes("inside"));
    const std::vector<std::pair<fs::path, std::string>> links = {
        {t / "abs", "/etc/passwd"},
        {t / "abs-dir", victim.path.string()},
        {t / "a" / "b" / "up", "../../../../outside"},
        {t / "a" / "b" / "in", "../file"},
        {t / "dangling", "does/not/exist"},
        {t / "dot", "."},
        {t / "long", std::string(4000, 'x')},
    };
    for (const auto& [at, target] : links) fs::create_symlink(target, at);
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto root = dag::TreeWriter(writer).put_path(t).value();
    dag::Reader reader(codec, store);
    BOOST_REQUIRE(dag::TreeReader(reader).restore(root, out.path / "t").has_value());
    for (const auto& [at, target] : links)
        BOOST_TEST(fs::read_symlink(out.path / "t" / at.lexically_relative(t)).string() == target);
    check_same_tree(t, out.path / "t");
    BOOST_TEST(fs::is_empty(victim.path));

    // A hostile DAG that names an entry twice, a link to the victim first, then a file,
    // cannot write through the link: the repeat is refused and the victim stays empty.
    auto file = dag::TreeWriter(writer).put_bytes(as_bytes("payload")).value();
    const std::vector<dag::Link> one{file};
    for (bool legacy : {true, false}) {
        auto hostile = raw_directory(writer, one,
                                     {{"x", dag::EntryType::symlink, 0, victim.path.string()},
                                      {"x", dag::EntryType::directory, 0, "", 0}},
                                     legacy);
        auto r = dag::TreeReader(reader).restore(hostile, out.path / ("h" + std::to_string(legacy)));
        BOOST_TEST(!r.has_value());
        BOOST_TEST(fs::is_empty(victim.path));
    }
}

BOOST_AUTO_TEST_CASE(restore_rejects_hostile_names) {
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
        {{"l", dag::EntryType::symlink, 0, std::string("a\0b", 3)}},         // NUL in a target
        {{"l", dag::EntryType::symlink, 0, ""}},                             // empty target
        {{"x", dag::EntryType::file, 0, "", 1}},                             // child index out of range
    };
    for (bool legacy : {true, false}) {
        for (std::size_t i = 0; i < hostile.size(); ++i) {
            BOOST_TEST_CONTEXT("case " << i << (legacy ? " (0.1 format)" : "")) {
                TempDir out;
                auto root = raw_directory(writer, one, hostile[i], legacy);
                auto r = dag::TreeReader(reader).restore(root, out.path / "r");
                BOOST_TEST(!r.has_value());
                if (!r) BOOST_TEST((r.error() == condition::bad_input || r.error() == errc::object_corrupt));
                // Nothing is left behind: not the restore, not its temporary name.
                BOOST_TEST(fs::is_empty(out.path));
            }
        }
    }
    // Flags on a symlink (0.1 format), and modes beyond 07777 (current format).
    TempDir out;
    BOOST_TEST(!dag::TreeReader(reader).restore(raw_directory(writer, one, {{"x", dag::EntryType::symlink, 1, "ok"}}),
                                                out.path / "a"));
    BOOST_TEST(!dag::TreeReader(reader).restore(
        raw_directory(writer, one, {{"x", dag::EntryType::file, 0, "", 0, 010000}}, false), out.path / "b"));
    // Harmless entries of both formats restore.
    for (bool legacy : {true, false}) {
        TempDir ok_out;
        auto ok = raw_directory(writer, one,
                                {{"a", dag::EntryType::file, 1, "", 0, 0755}, {"l", dag::EntryType::symlink, 0, "./a"}},
                                legacy);
        BOOST_REQUIRE(dag::TreeReader(reader).restore(ok, ok_out.path / "r").has_value());
        BOOST_TEST(fs::read_symlink(ok_out.path / "r" / "l") == "./a");
        BOOST_TEST(read_file(ok_out.path / "r" / "a") == Bytes(as_bytes("payload").begin(), as_bytes("payload").end()));
        BOOST_TEST(((fs::status(ok_out.path / "r" / "a").permissions() & fs::perms::owner_exec) != fs::perms::none));
    }
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
    BOOST_TEST((out.get_bytes(file_node(3, {0}), 100).error() == errc::object_corrupt));   // size lies
    BOOST_TEST((out.get_bytes(file_node(1, {0}), 100).error() == errc::object_corrupt));
    BOOST_TEST((out.get_bytes(file_node(2, {1}), 100).error() == errc::object_corrupt));   // bad index
    BOOST_TEST((out.get_bytes(file_node(2, {0}, 'D'), 100).error() == errc::object_corrupt));
    // A chunk where a file is expected.
    BOOST_TEST((out.get_bytes(chunk, 100).error() == errc::object_corrupt));
    // Trailing bytes after the entries.
    Bytes body{'F'};
    codec::varint::append_forward(body, 2);
    codec::varint::append_forward(body, 1);
    codec::varint::append_forward(body, 0);
    body.push_back(0);
    auto trailing = writer.write(std::vector{chunk}, body).value();
    BOOST_TEST((out.get_bytes(trailing, 100).error() == errc::object_corrupt));
}

BOOST_AUTO_TEST_CASE(large_files_stay_within_the_object_limit) {
    TempDir dir;
    const Bytes data = test::pattern((std::size_t{5} << 20) + 123, 9);   // 5 MiB + a bit
    write_file(dir.path / "big", data);
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::TreeProgress last;
    std::size_t calls = 0;
    dag::TreeWriter tree(writer, {.progress = [&](const dag::TreeProgress& p) {
        // The totals are counted before anything is stored.
        BOOST_TEST(p.total_bytes == data.size());
        BOOST_TEST(p.total_files == 1u);
        last = p;
        ++calls;
    }});
    auto link = tree.put_path(dir.path / "big").value();
    BOOST_TEST(last.bytes == data.size());
    BOOST_TEST(last.files == 1u);
    BOOST_TEST(calls >= 6u);
    for (const auto& [ref, bytes] : store.objects) BOOST_TEST(bytes.size() <= object::Sha256V1::max_object_bytes);
    dag::Reader reader(codec, store);
    BOOST_REQUIRE(dag::TreeReader(reader).restore(link, dir.path / "copy").has_value());
    BOOST_TEST(read_file(dir.path / "copy") == data);
}

BOOST_AUTO_TEST_CASE(large_directories_are_split_into_pages) {
    TempDir src, out;
    const fs::path t = src.path / "t";
    fs::create_directories(t);
    // Small pages make a few hundred entries need pages under two levels of `pages` nodes.
    for (int i = 0; i < 600; ++i) {
        const std::string name = "entry-" + std::to_string(i);
        if (i % 7 == 0) fs::create_symlink(std::string(i % 50 + 1, 't'), t / name);
        else if (i % 11 == 0) fs::create_directory(t / name);
        else write_file(t / name, as_bytes(i % 3 == 0 ? std::string("same") : name));
    }
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    const dag::TreeOptions small{.page_bytes = 1024};
    auto root = dag::TreeWriter(writer, small).put_path(t).value();
    BOOST_TEST((dag::TreeWriter(writer, small).put_path(t).value() == root));   // deterministic
    BOOST_TEST(largest_object(store) <= 1024u + 40 + 4 * 40 + 200);
    std::map<char, std::size_t> kinds;
    dag::Reader reader(codec, store);
    for (const auto& [ref, bytes] : store.objects) {
        (void)bytes;
        (void)ref;
    }
    BOOST_TEST(root.reference.height() >= 4u);   // root, pages, pages, entries, files
    BOOST_REQUIRE(dag::TreeReader(reader).restore(root, out.path / "t").has_value());
    check_same_tree(t, out.path / "t");
    // With the default pages, the listing is one node.
    auto whole = dag::TreeWriter(writer).put_path(t).value();
    BOOST_TEST(whole.reference.height() == 3u);   // root, entries, files and chunks
}

BOOST_AUTO_TEST_CASE(page_boundaries_are_exact) {
    // Listings just below, at and above one page, and around a full `pages` node: the count
    // taken before storing predicts the height that storing gives (the deepest tree accepted
    // is as high as a reference may be), and every listing restores.
    SivLikeCodec codec;
    for (std::size_t n : {1, 2, 3, 17, 18, 19, 34, 35, 36, 300}) {
        BOOST_TEST_CONTEXT(n << " entries") {
            TempDir src, out;
            const fs::path t = src.path / "t";
            fs::create_directories(t);
            for (std::size_t i = 0; i < n; ++i) write_file(t / ("f" + std::to_string(1000 + i)), as_bytes(std::to_string(i)));
            MapStore store;
            dag::Writer writer(codec, store);
            auto root = dag::TreeWriter(writer, {.page_bytes = 300}).put_path(t);
            BOOST_REQUIRE(root.has_value());
            dag::Reader reader(codec, store);
            BOOST_REQUIRE(dag::TreeReader(reader).restore(*root, out.path / "t").has_value());
            check_same_tree(t, out.path / "t");
        }
    }
}

BOOST_AUTO_TEST_CASE(deep_trees_are_stored_up_to_the_reference_height_and_refused_before_it) {
    SivLikeCodec codec;
    // Plain directories: the root node, the top directory, `depth` directories below it, the
    // file and its chunk: depth + 3 levels, 255 at most.
    for (const auto& [depth, accepted] : std::vector<std::pair<std::size_t, bool>>{{252, true}, {253, false}}) {
        BOOST_TEST_CONTEXT(depth << " levels") {
            TempDir src, out;
            fs::create_directory(src.path / "t");
            deep_tree(src.path / "t", depth);
            MapStore store;
            dag::Writer writer(codec, store);
            auto root = dag::TreeWriter(writer).put_path(src.path / "t");
            BOOST_TEST(root.has_value() == accepted);
            if (root) {
                BOOST_TEST(root->reference.height() == depth + 3);
                dag::Reader reader(codec, store);
                BOOST_TEST(dag::TreeReader(reader).restore(*root, out.path / "t").has_value());
                remove_deep(out.path / "t");
            } else {
                BOOST_TEST((root.error() == errc::size_limit_exceeded));
                BOOST_TEST(root.error().message().find("too deep") != std::string::npos);
                BOOST_TEST(store.objects.empty());   // refused before anything was stored
            }
            remove_deep(src.path / "t");
        }
    }
    // Every level's listing split in pages: two levels of DAG per directory. The deepest tree
    // accepted restores; one level more is refused before anything is stored.
    std::size_t accepted_depth = 0, accepted_height = 0;
    for (std::size_t depth = 125; depth < 130; ++depth) {
        TempDir src, out;
        fs::create_directory(src.path / "t");
        deep_tree(src.path / "t", depth, 4, 40);
        MapStore store;
        dag::Writer writer(codec, store);
        auto root = dag::TreeWriter(writer, {.page_bytes = 256}).put_path(src.path / "t");
        remove_deep(src.path / "t");
        if (!root) {
            BOOST_TEST((root.error() == errc::size_limit_exceeded));
            BOOST_TEST(store.objects.empty());
            break;
        }
        accepted_depth = depth;
        accepted_height = root->reference.height();
        dag::Reader reader(codec, store);
        BOOST_TEST(dag::TreeReader(reader).restore(*root, out.path / "t").has_value());
        remove_deep(out.path / "t");
    }
    BOOST_TEST(accepted_depth >= 125u);
    BOOST_TEST(accepted_depth < 129u);
    BOOST_TEST(accepted_height >= 254u);   // the count before storing is exact, not cautious
}

BOOST_AUTO_TEST_CASE(long_symlinks_in_deep_trees_restore) {
    // Deep, with long link targets on every level: each listing is split into pages, so no
    // node a restore holds is large and the walk stays within a budget of a few pages per
    // level. (Pages of 16 KiB here stand for the default 256 KiB: the listings of 32 KiB
    // would take 8 MiB on each of 256 levels with pages of the default size.)
    TempDir src, out;
    fs::create_directory(src.path / "t");
    deep_tree(src.path / "t", 30, 8, 4000);
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto root = dag::TreeWriter(writer, {.page_bytes = 16 << 10}).put_path(src.path / "t");
    BOOST_REQUIRE(root.has_value());
    BOOST_TEST(largest_object(store) < (std::size_t{20} << 10));
    // Without pages, the walk would need 30 levels of 32 KiB listings.
    dag::Reader reader(codec, store, {.max_walk_bytes = std::uint64_t{30} * (20 << 10)});
    BOOST_REQUIRE(dag::TreeReader(reader).restore(*root, out.path / "t").has_value());
    remove_deep(out.path / "t");
    remove_deep(src.path / "t");
}

BOOST_AUTO_TEST_CASE(a_file_that_changes_while_it_is_read_is_read_again_or_refused) {
    TempDir src;
    const fs::path t = src.path / "t";
    fs::create_directories(t);
    write_file(t / "log", test::pattern(10'000, 1));
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::Reader reader(codec, store);
    // Truncated after its first chunk was read, once: read again, stored as it is now.
    int changes = 1;
    dag::TreeOptions once{.chunk_bytes = 1000, .progress = [&](const dag::TreeProgress& p) {
                              if (p.bytes == 1000 && changes-- > 0) ::truncate((t / "log").c_str(), 3000);
                          }};
    auto root = dag::TreeWriter(writer, once).put_path(t);
    BOOST_REQUIRE(root.has_value());
    TempDir out;
    BOOST_REQUIRE(dag::TreeReader(reader).restore(*root, out.path / "t").has_value());
    BOOST_TEST(read_file(out.path / "t" / "log") == test::pattern(3000, 1));
    // Changed every time it is read: refused, naming the file.
    std::uint64_t seen = 0;
    dag::TreeOptions always{.chunk_bytes = 1000, .progress = [&](const dag::TreeProgress& p) {
                                if (p.bytes > seen) std::ofstream(t / "log", std::ios::app) << "more";
                                seen = p.bytes;
                            }};
    auto refused = dag::TreeWriter(writer, always).put_path(t);
    BOOST_REQUIRE(!refused.has_value());
    BOOST_TEST((refused.error() == errc::io_error));
    BOOST_TEST(refused.error().message().find("log changed while it was being read") != std::string::npos);
    // ... or left out, when the caller says so.
    std::vector<std::string> skipped;
    always.skip = [&](std::string_view path, const Error&) {
        skipped.emplace_back(path);
        return true;
    };
    auto without = dag::TreeWriter(writer, always).put_path(t);
    BOOST_REQUIRE(without.has_value());
    BOOST_TEST(skipped == std::vector<std::string>{(t / "log").string()});
}

BOOST_AUTO_TEST_CASE(a_file_swapped_for_a_fifo_does_not_block) {
    TempDir src;
    const fs::path t = src.path / "t";
    fs::create_directories(t);
    write_file(t / "a", as_bytes("a"));
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    // The filter runs between fstatat and openat: the second time it sees "a" (storing, after
    // counting), "a" becomes a FIFO that no one writes to. Opening it must not wait.
    int seen = 0;
    dag::TreeOptions options{.filter = [&](const dag::EntryInfo& e) {
        if (e.name == "a" && ++seen == 2) {
            fs::remove(t / "a");
            BOOST_REQUIRE(::mkfifo((t / "a").c_str(), 0644) == 0);
        }
        return true;
    }};
    auto r = dag::TreeWriter(writer, options).put_path(t);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message().find("was replaced while it was being stored") != std::string::npos);
    // A FIFO that is there from the start is refused (or left out) while counting.
    auto again = dag::TreeWriter(writer).put_path(t);
    BOOST_REQUIRE(!again.has_value());
    BOOST_TEST((again.error() == errc::unsupported));
    BOOST_TEST(store.objects.empty());
    auto skipping = dag::TreeWriter(writer, {.skip = [](std::string_view, const Error&) { return true; }}).put_path(t);
    BOOST_TEST(skipping.has_value());
}

BOOST_AUTO_TEST_CASE(sparse_files_come_back_sparse) {
    TempDir src, out;
    const fs::path f = src.path / "sparse";
    {
        const int fd = ::open(f.c_str(), O_WRONLY | O_CREAT, 0644);
        BOOST_REQUIRE(fd >= 0);
        BOOST_REQUIRE(::pwrite(fd, "head", 4, 0) == 4);
        BOOST_REQUIRE(::pwrite(fd, "middle", 6, (2 << 20) + 5) == 6);
        BOOST_REQUIRE(::ftruncate(fd, 3 << 20) == 0);   // ends in a hole
        ::close(fd);
    }
    test::IdentityCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto root = dag::TreeWriter(writer).put_path(f).value();
    dag::Reader reader(codec, store);
    BOOST_REQUIRE(dag::TreeReader(reader).restore(root, out.path / "copy").has_value());
    struct stat st {};
    BOOST_REQUIRE(::stat((out.path / "copy").c_str(), &st) == 0);
    BOOST_TEST(st.st_size == 3 << 20);
    BOOST_TEST(st.st_blocks * 512 <= 64 * 1024);   // two blocks of data, not 3 MiB
    BOOST_TEST(read_file(out.path / "copy") == read_file(f));
}

BOOST_AUTO_TEST_CASE(one_path_restores_out_of_a_tree) {
    TempDir src, out;
    const fs::path t = src.path / "t";
    fs::create_directories(t / "a" / "b");
    for (int i = 0; i < 40; ++i) write_file(t / "a" / ("f" + std::to_string(100 + i)), as_bytes(std::to_string(i)));
    write_file(t / "a" / "b" / "deep", as_bytes("deep"), true);
    fs::create_symlink("../f100", t / "a" / "b" / "up");
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    std::vector<std::string> stored;
    // Small pages: the names are looked up across several of them.
    auto root = dag::TreeWriter(writer, {.page_bytes = 256, .stored = [&](std::string_view p) { stored.emplace_back(p); }})
                    .put_path(t)
                    .value();
    BOOST_TEST(stored.size() == 45u);   // 40 files, a, b, deep, up and t itself
    BOOST_TEST(stored.back() == t.string());
    dag::Reader reader(codec, store);
    std::vector<std::string> restored;
    dag::TreeReader tree(reader, {.restored = [&](std::string_view p) { restored.emplace_back(p); }});
    BOOST_REQUIRE(tree.restore(root, "a/b", out.path / "b").has_value());
    check_same_tree(t / "a" / "b", out.path / "b");
    BOOST_TEST(restored.size() == 3u);
    BOOST_REQUIRE(tree.restore(root, "/a/./f139", out.path / "f").has_value());
    BOOST_TEST(read_file(out.path / "f") == Bytes(as_bytes("39").begin(), as_bytes("39").end()));
    BOOST_REQUIRE(tree.restore(root, "a/b/up", out.path / "up").has_value());
    BOOST_TEST(fs::read_symlink(out.path / "up") == "../f100");
    for (const char* bad : {"a/nothing", "a/f100/x", "a/../a", "zzz"}) {
        BOOST_TEST_CONTEXT(bad) {
            auto r = tree.restore(root, bad, out.path / "bad");
            BOOST_TEST((r.error() == errc::invalid_argument));
            BOOST_TEST(!fs::exists(out.path / "bad"));
        }
    }
}

BOOST_AUTO_TEST_CASE(the_root_announces_what_a_restore_will_write) {
    TempDir src, out;
    sample_tree(src.path / "t");
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto root = dag::TreeWriter(writer).put_path(src.path / "t").value();
    dag::Reader reader(codec, store);
    std::vector<dag::TreeProgress> seen;
    dag::TreeReader tree(reader, {.progress = [&](const dag::TreeProgress& p) { seen.push_back(p); }});
    BOOST_REQUIRE(tree.restore(root, out.path / "t").has_value());
    BOOST_REQUIRE(!seen.empty());
    BOOST_TEST(seen.front().total_files == 7u);
    BOOST_TEST(seen.front().total_bytes == 300'000u + 6 + 18 + 9 + 9 + 100);
    BOOST_TEST(seen.back().files == 7u);
    BOOST_TEST(seen.back().bytes == seen.front().total_bytes);
    // A root that announces other totals than its tree holds is corrupt (and nothing stays).
    auto node = reader.read(root).value();
    Bytes body(node.body().begin(), node.body().end());
    dag::detail::BodyReader r(ByteView(body).subspan(1), "");
    (void)dag::detail::read_metadata(r).value();
    (void)r.number("child").value();
    Bytes lying(body.begin(), body.end() - static_cast<std::ptrdiff_t>(r.rest().size()));
    codec::varint::append_forward(lying, std::uint64_t{8});
    codec::varint::append_forward(lying, seen.front().total_bytes);
    auto liar = writer.write(std::vector{node.child(0)}, lying).value();
    auto bad = dag::TreeReader(reader).restore(liar, out.path / "liar");
    BOOST_TEST((bad.error() == errc::object_corrupt));
    BOOST_TEST(!fs::exists(out.path / "liar"));
}

BOOST_AUTO_TEST_CASE(a_failed_or_cancelled_restore_leaves_nothing_and_names_the_path) {
    TempDir src, out;
    const fs::path t = src.path / "t";
    fs::create_directories(t / "on" / "a" / "b" / "c");
    write_file(t / "first", test::pattern(5000, 1));
    write_file(t / "on" / "a" / "b" / "c" / "data", test::pattern(3000, 2));
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto root = dag::TreeWriter(writer, {.chunk_bytes = 1000}).put_path(t).value();
    // Lose the chunk that only the deep file holds.
    const auto deep = dag::TreeWriter(writer, {.chunk_bytes = 1000}).put_bytes(test::pattern(3000, 2)).value();
    dag::Reader reader(codec, store);
    auto node = reader.read(deep).value();
    store.objects.erase(node.child(0).reference);
    auto r = dag::TreeReader(reader).restore(root, out.path / "r");
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::object_not_found));
    BOOST_TEST(r.error().message().find((out.path / "r" / "on" / "a" / "b" / "c" / "data").string()) != std::string::npos);
    BOOST_TEST(fs::is_empty(out.path));   // nothing under the real name, no temporary left

    // Cancelled after the first chunk: nothing left either.
    int polls = 0;
    auto c = dag::TreeReader(reader, {.cancelled = [&] { return ++polls > 3; }}).restore(root, out.path / "r");
    BOOST_REQUIRE(!c.has_value());
    BOOST_TEST((c.error() == errc::cancelled));
    BOOST_TEST(fs::is_empty(out.path));
}

/// A tree of every kind of entry, for comparing puts and restores on several threads: many
/// small files in many directories, empty files, files of several chunks and chunk lists, a
/// listing split into pages, symlinks, a read-only directory, and files that are alike.
void generated_tree(const fs::path& root) {
    fs::create_directories(root);
    for (int d = 0; d < 12; ++d) {
        const fs::path dir = root / ("d" + std::to_string(d)) / ("sub" + std::to_string(d % 3));
        fs::create_directories(dir);
        for (int f = 0; f < 9 + d; ++f) {
            const std::size_t size = static_cast<std::size_t>((f * 977 + d * 131) % 9000) * (f % 4 == 0 ? 0 : 1);
            write_file(dir / ("f" + std::to_string(f)), test::pattern(size, static_cast<std::uint8_t>(d * 16 + f)),
                       f % 5 == 1);
        }
        write_file(dir.parent_path() / "same", as_bytes("alike in every directory"));
        fs::create_symlink("../same", dir / "up");
    }
    fs::create_directories(root / "wide");
    for (int f = 0; f < 150; ++f) write_file(root / "wide" / ("entry-with-a-long-name-" + std::to_string(f)), test::pattern(f, 5));
    write_file(root / "large", test::pattern(70'000, 9));
    write_file(root / "d0" / "larger", test::pattern(130'000, 11));
    fs::permissions(root / "d3" / "sub0", fs::perms(0555));
    std::int64_t t = 1'600'000'000;
    for (auto& e : fs::recursive_directory_iterator(root)) set_mtime(e.path(), t++, 17);
    set_mtime(root, 1'700'000'000, 0);
}

BOOST_AUTO_TEST_CASE(threads_give_the_same_root_and_the_same_tree) {
    TempDir src, out;
    const fs::path t = src.path / "t";
    generated_tree(t);
    const dag::TreeOptions shape{.chunk_bytes = 1000, .fan_out = 4, .page_bytes = 2048};

    SivLikeCodec codec;
    auto codecs = [&]() -> result<SivLikeCodec> { return codec; };   // a codec for each thread
    std::vector<std::string> stored_alone;
    const dag::Link alone = [&] {
        storage::MemoryStore store;
        dag::Writer writer(codec, store);
        auto options = shape;
        options.stored = [&](std::string_view p) { stored_alone.emplace_back(p); };
        return dag::TreeWriter(writer, options).put_path(t).value();
    }();
    for (unsigned threads : {2u, 3u, 8u}) {
        BOOST_TEST_CONTEXT("threads " << threads) {
            storage::MemoryStore store;
            storage::WriteSession session(store, {.batch_objects = 64, .background = true});
            dag::Writer writer(codec, session);
            auto options = shape;
            options.threads = threads;
            std::vector<std::string> stored;
            options.stored = [&](std::string_view p) { stored.emplace_back(p); };
            std::uint64_t reported = 0;
            options.progress = [&](const dag::TreeProgress& p) { reported = std::max(reported, p.bytes); };
            dag::TreeWriter tree(writer, options, codecs);
            auto root = tree.put_path(t);
            BOOST_REQUIRE(root.has_value());
            BOOST_TEST((*root == alone));
            // The same entries, each once, a directory after everything in it.
            for (std::size_t i = 0; i < stored.size(); ++i)
                for (std::size_t j = i + 1; j < stored.size(); ++j)
                    BOOST_TEST(!stored[j].starts_with(stored[i] + "/"), stored[j] << " after " << stored[i]);
            std::sort(stored.begin(), stored.end());
            auto expected = stored_alone;
            std::sort(expected.begin(), expected.end());
            BOOST_TEST(stored == expected, boost::test_tools::per_element());
            BOOST_TEST(tree.progress().files == tree.progress().total_files);
            BOOST_TEST(reported == tree.progress().total_bytes);
            // Everything the root reaches is stored: restore it, on one thread and on several.
            dag::Reader reader(codec, store);
            for (unsigned restore_threads : {1u, threads}) {
                const fs::path copy = out.path / ("copy-" + std::to_string(threads) + "-" + std::to_string(restore_threads));
                std::size_t restored = 0;
                dag::TreeReader tr(reader, {.restored = [&](std::string_view) { ++restored; }, .threads = restore_threads},
                                   codecs);
                BOOST_REQUIRE(tr.restore(*root, copy).has_value());
                check_same_tree(t, copy);
                BOOST_TEST(restored == stored_alone.size());
                BOOST_TEST(tr.progress().files == tr.progress().total_files);
            }
        }
    }

    // A real chain: the writer and reader make one per thread.
    using Aead = aead::AesGcmSiv<256>;
    using Chain = encoding::DeterministicPipeline<encoding::SimpleLzw, Aead>;
    const Bytes key(32, 7);
    auto make = [&]() -> result<Chain> { return Chain({}, Aead::Key::from(key).value()); };
    Chain chain = make().value();
    storage::MemoryStore store;
    dag::Writer writer(chain, store);
    const auto one = dag::TreeWriter(writer, shape).put_path(t).value();
    auto options = shape;
    options.threads = 4;
    BOOST_TEST((dag::TreeWriter(writer, options, make).put_path(t).value() == one));
    // Without a way to make codecs, more than one thread is refused rather than shared.
    BOOST_TEST((dag::TreeWriter(writer, options).put_path(t).error() == errc::invalid_argument));
    dag::Reader reader(chain, store);
    BOOST_REQUIRE(dag::TreeReader(reader, {.threads = 4}, make).restore(one, out.path / "chain").has_value());
    check_same_tree(t, out.path / "chain");
    for (auto& e : fs::directory_iterator(out.path))
        if (fs::exists(e.path() / "d3" / "sub0")) fs::permissions(e.path() / "d3" / "sub0", fs::perms(0755));
    fs::permissions(t / "d3" / "sub0", fs::perms(0755));
}

BOOST_AUTO_TEST_CASE(a_restore_on_threads_that_fails_leaves_nothing) {
    TempDir src, out;
    const fs::path t = src.path / "t";
    generated_tree(t);
    fs::permissions(t / "d3" / "sub0", fs::perms(0755));
    SivLikeCodec codec;
    storage::MemoryStore store;
    dag::Writer writer(codec, store);
    auto codecs = [&]() -> result<SivLikeCodec> { return codec; };
    auto root = dag::TreeWriter(writer, {.chunk_bytes = 1000, .threads = 3}, codecs).put_path(t).value();
    // Lose a chunk of a file deep in the tree.
    const auto lost = dag::TreeWriter(writer, {.chunk_bytes = 1000}).put_bytes(test::pattern(70'000, 9)).value();
    dag::Reader reader(codec, store);
    auto node = reader.read(lost).value();
    BOOST_REQUIRE(store.remove(node.child(0).reference).value());
    for (unsigned threads : {1u, 2u, 4u}) {
        BOOST_TEST_CONTEXT("threads " << threads) {
            auto r = dag::TreeReader(reader, {.threads = threads}, codecs).restore(root, out.path / "r");
            BOOST_REQUIRE(!r.has_value());
            BOOST_TEST((r.error() == errc::object_not_found));
            BOOST_TEST(r.error().message().find((out.path / "r" / "large").string()) != std::string::npos);
            BOOST_TEST(fs::is_empty(out.path));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
