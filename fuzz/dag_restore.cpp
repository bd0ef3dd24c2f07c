// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: the input is the body of a tree's root node, over three children (a file, a
// directory, a chunk). Restoring it, whole or one path of it, never crashes, never writes
// outside the scratch directory, and leaves nothing behind when it fails.

#include <sealpipe/dag/tree.hpp>

#include <cstdlib>
#include <map>
#include <string>

namespace {
using namespace sealpipe;

struct Identity {
    result<encoding::Encoded<>> encode(ByteView in) const { return encoding::Encoded<>{to_bytes(in), {}}; }
    result<SecureBytes> decode(ByteView in, ByteView, std::size_t max) const {
        if (in.size() > max) return fail(errc::size_limit_exceeded, "too large");
        return SecureBytes(in.begin(), in.end());
    }
    static constexpr std::size_t decoding_parameters_bytes = 0;
};

struct Map {
    result<void> put(const object::Reference& ref, ByteView data) {
        objects[ref] = to_bytes(data);
        return {};
    }
    result<Bytes> get(const object::Reference& ref) {
        auto it = objects.find(ref);
        if (it == objects.end()) return fail(errc::object_not_found, "absent");
        return it->second;
    }
    std::map<object::Reference, Bytes> objects;
};

/// True when the scratch directory holds nothing.
bool empty(const std::string& dir) {
    std::error_code ec;
    return std::filesystem::is_empty(dir, ec);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string scratch = [] {
        std::string t = (std::filesystem::temp_directory_path() / "sealpipe-fuzz-XXXXXX").string();
        if (!::mkdtemp(t.data())) std::abort();
        return t;
    }();
    Identity codec;
    Map store;
    dag::Writer writer(codec, store);
    auto chunk = writer.write({}, as_bytes("Cdata")).value();
    const Bytes file_body{'F', 0x84, 0x81, 0x80};   // 4 bytes, 1 chunk, child 0
    auto file = writer.write(std::vector{chunk}, file_body).value();
    Bytes dir_body{'E', 0x81, 0x81, 'x', 0x00, 0x41, 0xa4, 0x80, 0x80, 0x80};   // "x": a file, 0644
    auto dir = writer.write(std::vector{file}, dir_body).value();
    dag::ChildSet children;
    for (const auto& l : {chunk, file, dir}) children.add(l);
    auto root = writer.write(children.links(), ByteView(data, size));
    if (!root) return 0;
    dag::Reader reader(codec, store);
    dag::TreeReader tree(reader);
    const std::string out = scratch + "/out";
    if (tree.restore(*root, out)) {
        int fd = ::open(scratch.c_str(), O_RDONLY | O_DIRECTORY);
        dag::detail::remove_tree(fd, "out");
        ::close(fd);
    } else if (!empty(scratch)) {
        std::abort();
    }
    if (tree.restore(*root, "x/y", out)) {
        int fd = ::open(scratch.c_str(), O_RDONLY | O_DIRECTORY);
        dag::detail::remove_tree(fd, "out");
        ::close(fd);
    } else if (!empty(scratch)) {
        std::abort();
    }
    return 0;
}
