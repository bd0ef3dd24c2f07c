// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Files and directories as encrypted DAGs: fixed-size chunks under a tree of chunk lists,
// directories with sorted entries, deterministic roots, and a restore that refuses hostile
// names and symlinks.

#ifndef SEALPIPE_DAG_TREE_HPP
#define SEALPIPE_DAG_TREE_HPP

#include <sealpipe/codec/varint.hpp>
#include <sealpipe/dag/node.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::dag {

/// The kind byte that opens every tree node's body (doc/dag.md, "Files and directories").
enum class NodeKind : Byte {
    chunk = 'C',      ///< file data, a leaf
    chunk_list = 'L', ///< an inner node of a file's chunk tree
    file = 'F',       ///< a file: the root of its chunk tree
    directory = 'D',  ///< a directory: sorted entries
};

/// What a directory entry is.
enum class EntryType : Byte { file = 0, directory = 1, symlink = 2 };

/// Options for storing trees.
struct TreeOptions {
    /// Size of every chunk but the last of a file (fixed-size chunking, doc/dag.md).
    std::size_t chunk_bytes = std::size_t{1} << 20;
    /// Children per chunk-list node.
    std::size_t fan_out = 4096;
    /// Called after each chunk with the number of file bytes stored so far.
    std::function<void(std::uint64_t)> progress;
};

/// Options for restoring trees.
struct RestoreOptions {
    /// Called after each chunk with the number of file bytes restored so far.
    std::function<void(std::uint64_t)> progress;
};

namespace detail {

inline constexpr std::size_t max_name_bytes = 255;
inline constexpr std::size_t max_symlink_bytes = 4095;

inline Error os_error(const std::string& what) {
    return Error(error::io_error, what + ": " + std::strerror(errno));
}

/// Closes a file descriptor on scope exit.
class Fd {
public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

/// Reads a body field by field; every read is bounds-checked.
class BodyReader {
public:
    BodyReader(ByteView body, std::string where) : rest_(body), where_(std::move(where)) {}

    result<std::uint64_t> number(std::string_view what) {
        auto v = codec::varint::decode_forward<std::uint64_t>(rest_);
        if (!v) return corrupt(std::string(what) + ": " + v.error().message());
        rest_ = rest_.subspan(v->size);
        return v->value;
    }
    result<Byte> byte(std::string_view what) {
        if (rest_.empty()) return corrupt(std::string(what) + " is missing");
        const Byte b = rest_[0];
        rest_ = rest_.subspan(1);
        return b;
    }
    result<ByteView> bytes(std::uint64_t n, std::string_view what) {
        if (n > rest_.size()) return corrupt(std::string(what) + " runs past the end of the node");
        ByteView out = rest_.first(static_cast<std::size_t>(n));
        rest_ = rest_.subspan(static_cast<std::size_t>(n));
        return out;
    }
    result<void> finish() {
        if (!rest_.empty()) return corrupt(std::to_string(rest_.size()) + " trailing bytes");
        return {};
    }
    ByteView rest() const noexcept { return rest_; }
    Error corrupt(const std::string& why) const { return Error(error::object_corrupt, where_ + ": " + why); }

private:
    ByteView rest_;
    std::string where_;
};

inline void put_number(Bytes& out, std::uint64_t v) { codec::varint::append_forward(out, v); }

/// A name is one path component: no '/', no NUL, not "." or "..", 1 to 255 bytes.
inline result<void> check_name(std::string_view name) {
    if (name.empty() || name.size() > max_name_bytes)
        return fail(error::malformed_input, "entry name of " + std::to_string(name.size()) + " bytes (1 to 255 allowed)");
    if (name == "." || name == "..")
        return fail(error::malformed_input, "entry name '" + std::string(name) + "' is not allowed");
    if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
        return fail(error::malformed_input, "entry name contains '/' or NUL");
    return {};
}

/** A symlink target may not be absolute nor climb above the restore root: resolved lexically
    from a link `depth` directories below the root, it must stay at depth >= 0. */
inline result<void> check_symlink_target(std::string_view target, std::size_t depth) {
    if (target.empty() || target.size() > max_symlink_bytes || target.find('\0') != std::string_view::npos)
        return fail(error::malformed_input, "symlink target is empty, too long or contains NUL");
    if (target.front() == '/') return fail(error::malformed_input, "symlink target '" + std::string(target) + "' is absolute");
    std::int64_t level = static_cast<std::int64_t>(depth);
    std::size_t pos = 0;
    while (pos <= target.size()) {
        std::size_t end = target.find('/', pos);
        if (end == std::string_view::npos) end = target.size();
        const std::string_view part = target.substr(pos, end - pos);
        if (part == "..") {
            if (--level < 0)
                return fail(error::malformed_input, "symlink target '" + std::string(target) + "' escapes the restored tree");
        } else if (!part.empty() && part != ".") {
            ++level;
        }
        pos = end + 1;
    }
    return {};
}

} // namespace detail

/** Stores files and directories as DAGs through a `Writer`. */
template <ObjectCodec Codec, ObjectStore Store>
class TreeWriter {
public:
    TreeWriter(Writer<Codec, Store>& writer, TreeOptions options = {}) : w_(&writer), options_(std::move(options)) {}

    /** Stores a byte string as a file DAG and returns the link to its `file` node. */
    [[nodiscard]] result<Link> put_bytes(ByteView data) {
        FileBuilder b(*this);
        for (std::size_t off = 0; off < data.size(); off += options_.chunk_bytes) {
            const std::size_t n = std::min(options_.chunk_bytes, data.size() - off);
            if (auto r = b.add_chunk(data.subspan(off, n)); !r) return r.error();
        }
        return b.finish();
    }

    /** Stores the regular file at `path` (not following a final symlink), reading it in
        chunks so that memory stays bounded whatever its size. */
    [[nodiscard]] result<Link> put_file(const std::filesystem::path& path) {
        detail::Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) return detail::os_error("cannot open " + path.string());
        FileBuilder b(*this);
        Bytes chunk(options_.chunk_bytes);
        for (;;) {
            std::size_t filled = 0;
            while (filled < chunk.size()) {
                const ssize_t n = ::read(fd.get(), chunk.data() + filled, chunk.size() - filled);
                if (n < 0) {
                    if (errno == EINTR) continue;
                    return detail::os_error("cannot read " + path.string());
                }
                if (n == 0) break;
                filled += static_cast<std::size_t>(n);
            }
            if (filled == 0) break;
            if (auto r = b.add_chunk(ByteView(chunk).first(filled)); !r) return r.error();
            if (filled < chunk.size()) break;
        }
        return b.finish();
    }

    /** Stores a file, a directory tree or a symlink's directory entry. Entries of a directory
        are sorted by name bytes; only names, kinds, the executable bit and symlink targets are
        kept, so the same tree always yields the same root.
        @par Errors `error::unsupported` for devices, sockets and FIFOs; `error::io_error`;
        `error::size_limit_exceeded` for a directory whose listing exceeds one object. */
    [[nodiscard]] result<Link> put_path(const std::filesystem::path& path) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) return detail::os_error("cannot stat " + path.string());
        if (S_ISREG(st.st_mode)) return put_file(path);
        if (S_ISDIR(st.st_mode)) return put_directory(path);
        return fail(error::unsupported, path.string() + " is not a regular file or a directory");
    }

private:
    struct Entry {
        std::string name;
        EntryType type;
        bool executable = false;
        std::optional<Link> link;  // file and directory
        std::string target;      // symlink
    };

    /// Builds one file's chunk tree level by level, holding at most fan_out links per level.
    class FileBuilder {
    public:
        explicit FileBuilder(TreeWriter& t) : t_(&t) {}

        result<void> add_chunk(ByteView data) {
            Bytes body;
            body.reserve(1 + data.size());
            body.push_back(static_cast<Byte>(NodeKind::chunk));
            append(body, data);
            auto link = t_->w_->write({}, body);
            if (!link) return link.error();
            total_ += data.size();
            if (t_->options_.progress) t_->options_.progress(t_->stored_ += data.size());
            return push(0, {std::move(*link), data.size()});
        }

        result<Link> finish() {
            // Flush partial lists upwards; order is kept because a flushed list goes to the end
            // of the level above, after everything that precedes it in the file.
            for (std::size_t level = 0; level + 1 < levels_.size(); ++level)
                if (!levels_[level].empty())
                    if (auto r = flush(level); !r) return r.error();
            std::vector<Item> top = levels_.empty() ? std::vector<Item>{} : std::move(levels_.back());
            return t_->write_list(NodeKind::file, top, total_);
        }

    private:
        struct Item {
            Link link;
            std::uint64_t size;
        };
        friend class TreeWriter;

        result<void> push(std::size_t level, Item item) {
            if (levels_.size() <= level) levels_.resize(level + 1);
            levels_[level].push_back(std::move(item));
            if (levels_[level].size() == t_->options_.fan_out) return flush(level);
            return {};
        }
        result<void> flush(std::size_t level) {
            std::vector<Item> items = std::move(levels_[level]);
            levels_[level].clear();
            std::uint64_t size = 0;
            for (const auto& i : items) size += i.size;
            auto link = t_->write_list(NodeKind::chunk_list, items, size);
            if (!link) return link.error();
            return push(level + 1, {std::move(*link), size});
        }

        TreeWriter* t_;
        std::vector<std::vector<Item>> levels_;
        std::uint64_t total_ = 0;
    };

    template <class Items>
    result<Link> write_list(NodeKind kind, const Items& items, std::uint64_t total) {
        ChildSet children;
        for (const auto& i : items) children.add(i.link);
        Bytes body;
        body.push_back(static_cast<Byte>(kind));
        detail::put_number(body, total);
        detail::put_number(body, items.size());
        for (const auto& i : items) {
            auto index = children.index_of(i.link.reference);
            if (!index) return index.error();
            detail::put_number(body, *index);
        }
        return w_->write(children.links(), body);
    }

    result<Link> put_directory(const std::filesystem::path& path) {
        std::vector<Entry> entries;
        std::error_code ec;
        for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
            const auto& p = it->path();
            Entry e;
            e.name = p.filename().string();
            if (auto r = detail::check_name(e.name); !r) return std::move(r.error()).context(p.string());
            struct stat st {};
            if (::lstat(p.c_str(), &st) != 0) return detail::os_error("cannot stat " + p.string());
            if (S_ISREG(st.st_mode)) {
                e.type = EntryType::file;
                e.executable = (st.st_mode & S_IXUSR) != 0;
                auto link = put_file(p);
                if (!link) return link.error();
                e.link = std::move(*link);
            } else if (S_ISDIR(st.st_mode)) {
                e.type = EntryType::directory;
                auto link = put_directory(p);
                if (!link) return link.error();
                e.link = std::move(*link);
            } else if (S_ISLNK(st.st_mode)) {
                e.type = EntryType::symlink;
                std::string target(detail::max_symlink_bytes + 1, '\0');
                const ssize_t n = ::readlink(p.c_str(), target.data(), target.size());
                if (n < 0) return detail::os_error("cannot read symlink " + p.string());
                if (static_cast<std::size_t>(n) > detail::max_symlink_bytes)
                    return fail(error::unsupported, "symlink target of " + p.string() + " is too long");
                target.resize(static_cast<std::size_t>(n));
                e.target = std::move(target);
            } else {
                return fail(error::unsupported, p.string() + " is not a regular file, directory or symlink");
            }
            entries.push_back(std::move(e));
        }
        if (ec) return Error(error::io_error, "cannot list " + path.string() + ": " + ec.message());
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });

        ChildSet children;
        for (const auto& e : entries)
            if (e.type != EntryType::symlink) children.add(*e.link);
        Bytes body;
        body.push_back(static_cast<Byte>(NodeKind::directory));
        detail::put_number(body, entries.size());
        for (const auto& e : entries) {
            detail::put_number(body, e.name.size());
            append(body, as_bytes(e.name));
            body.push_back(static_cast<Byte>(e.type));
            body.push_back(e.executable ? 1 : 0);
            if (e.type == EntryType::symlink) {
                detail::put_number(body, e.target.size());
                append(body, as_bytes(e.target));
            } else {
                auto index = children.index_of(e.link->reference);
                if (!index) return index.error();
                detail::put_number(body, *index);
            }
        }
        auto link = w_->write(children.links(), body);
        if (!link) return std::move(link.error()).context("directory " + path.string());
        return link;
    }

    Writer<Codec, Store>* w_;
    TreeOptions options_;
    std::uint64_t stored_ = 0;
};

/** Restores file and directory DAGs. Every object is validated against its reference before
    it is decoded; sizes are checked against what the nodes declare; names and symlink targets
    are checked before anything is created, and nothing is ever written through a symlink. */
template <ObjectCodec Codec, ObjectStore Store>
class TreeReader {
public:
    TreeReader(const Reader<Codec, Store>& reader, RestoreOptions options = {})
        : r_(&reader), options_(std::move(options)) {}

    /// Reads a whole file DAG into memory (for small files and tests; `limit` bounds it).
    [[nodiscard]] result<Bytes> get_bytes(const Link& file, std::size_t limit) {
        Bytes out;
        auto sink = [&](ByteView chunk) -> result<void> {
            if (chunk.size() > limit - out.size())
                return fail(error::size_limit_exceeded, "file is larger than " + std::to_string(limit) + " bytes");
            append(out, chunk);
            return {};
        };
        if (auto b = r_->check_walk_budget(file.reference); !b) return b.error();
        auto node = r_->read(file);
        if (!node) return node.error();
        if (auto r = read_list(*node, NodeKind::file, sink); !r) return r.error();
        return out;
    }

    /** Restores the file or directory at `root` to `out`, which must not exist yet.
        @par Errors `error::malformed_input` for hostile names or symlink targets;
        `error::object_corrupt` for inconsistent nodes; `error::io_error` when `out` exists or
        cannot be created; every error of `Reader::read`. */
    [[nodiscard]] result<void> restore(const Link& root, const std::filesystem::path& out) {
        if (auto b = r_->check_walk_budget(root.reference); !b) return b.error();
        auto node = r_->read(root);
        if (!node) return node.error();
        if (node->body().empty()) return fail(error::object_corrupt, "dag: root node is empty");
        const std::filesystem::path parent = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
        detail::Fd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir) return detail::os_error("cannot open " + parent.string());
        const std::string name = out.filename().string();
        switch (static_cast<NodeKind>(node->body()[0])) {
        case NodeKind::file: return restore_file(*node, dir.get(), name, false);
        case NodeKind::directory: return restore_directory(*node, dir.get(), name, 0);
        default: return fail(error::object_corrupt, "dag: root is neither a file nor a directory");
        }
    }

private:
    /// Streams a file or chunk-list node's data to `sink`, checking declared sizes.
    template <class Sink>
    result<std::uint64_t> read_list(const Node& node, NodeKind expected, Sink& sink) {
        detail::BodyReader body(node.body(), "dag: " + node.reference().to_string());
        auto kind = body.byte("kind");
        if (!kind) return kind.error();
        if (*kind != static_cast<Byte>(expected))
            return body.corrupt("expected a " + std::string(expected == NodeKind::file ? "file" : "chunk list") + " node");
        auto total = body.number("size");
        if (!total) return total.error();
        auto count = body.number("count");
        if (!count) return count.error();
        if (*count > body.rest().size()) return body.corrupt("more entries than the node can hold");
        if (*count != 0 && node.degree() == 0) return body.corrupt("entries without children");
        std::uint64_t seen = 0;
        for (std::uint64_t i = 0; i < *count; ++i) {
            auto index = body.number("child index");
            if (!index) return index.error();
            if (*index >= node.degree()) return body.corrupt("child index " + std::to_string(*index) + " out of range");
            auto child = r_->read(node.child(static_cast<std::size_t>(*index)));
            if (!child) return child.error();
            const ByteView cb = child->body();
            if (cb.empty()) return body.corrupt("empty child");
            std::uint64_t got = 0;
            if (cb[0] == static_cast<Byte>(NodeKind::chunk)) {
                if (child->degree() != 0 || cb.size() < 2) return body.corrupt("malformed chunk");
                if (auto r = sink(cb.subspan(1)); !r) return r.error();
                got = cb.size() - 1;
                if (options_.progress) options_.progress(restored_ += got);
            } else if (cb[0] == static_cast<Byte>(NodeKind::chunk_list)) {
                auto sub = read_list(*child, NodeKind::chunk_list, sink);
                if (!sub) return sub.error();
                got = *sub;
            } else {
                return body.corrupt("a file may only hold chunks and chunk lists");
            }
            if (got > *total - seen) return body.corrupt("children hold more data than the declared size");
            seen += got;
        }
        if (seen != *total)
            return body.corrupt("children hold " + std::to_string(seen) + " bytes, " + std::to_string(*total) + " declared");
        if (auto f = body.finish(); !f) return f.error();
        return *total;
    }

    result<void> restore_file(const Node& node, int dir, const std::string& name, bool executable) {
        detail::Fd fd(::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                               executable ? 0755 : 0644));
        if (!fd) return detail::os_error("cannot create " + name);
        auto sink = [&](ByteView chunk) -> result<void> {
            while (!chunk.empty()) {
                const ssize_t n = ::write(fd.get(), chunk.data(), chunk.size());
                if (n < 0) {
                    if (errno == EINTR) continue;
                    return detail::os_error("cannot write " + name);
                }
                chunk = chunk.subspan(static_cast<std::size_t>(n));
            }
            return {};
        };
        auto r = read_list(node, NodeKind::file, sink);
        if (!r) return r.error();
        if (executable && ::fchmod(fd.get(), 0755) != 0) return detail::os_error("cannot chmod " + name);
        return {};
    }

    result<void> restore_directory(const Node& node, int parent, const std::string& name, std::size_t depth) {
        detail::BodyReader body(node.body(), "dag: " + node.reference().to_string());
        auto kind = body.byte("kind");
        if (!kind) return kind.error();
        if (*kind != static_cast<Byte>(NodeKind::directory)) return body.corrupt("expected a directory node");
        auto count = body.number("entry count");
        if (!count) return count.error();
        if (*count > body.rest().size() / 4) return body.corrupt("more entries than the node can hold");
        if (::mkdirat(parent, name.c_str(), 0755) != 0) return detail::os_error("cannot create directory " + name);
        detail::Fd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dir) return detail::os_error("cannot open directory " + name);
        std::string previous;
        for (std::uint64_t i = 0; i < *count; ++i) {
            auto len = body.number("name length");
            if (!len) return len.error();
            auto raw = body.bytes(*len, "name");
            if (!raw) return raw.error();
            const std::string entry(as_chars(*raw));
            if (auto c = detail::check_name(entry); !c) return std::move(c.error()).context("dag: restoring " + name);
            if (i > 0 && !(previous < entry))
                return body.corrupt("entries are not strictly sorted ('" + previous + "', '" + entry + "')");
            previous = entry;
            auto type = body.byte("entry type");
            if (!type) return type.error();
            auto flags = body.byte("entry flags");
            if (!flags) return flags.error();
            if (*flags > 1 || (*flags == 1 && *type != static_cast<Byte>(EntryType::file)))
                return body.corrupt("unknown flags on entry '" + entry + "'");
            if (*type == static_cast<Byte>(EntryType::symlink)) {
                auto tlen = body.number("symlink target length");
                if (!tlen) return tlen.error();
                auto target = body.bytes(*tlen, "symlink target");
                if (!target) return target.error();
                const std::string t(as_chars(*target));
                if (auto c = detail::check_symlink_target(t, depth); !c)
                    return std::move(c.error()).context("dag: restoring " + name + "/" + entry);
                if (::symlinkat(t.c_str(), dir.get(), entry.c_str()) != 0)
                    return detail::os_error("cannot create symlink " + entry);
                continue;
            }
            auto index = body.number("child index");
            if (!index) return index.error();
            if (*index >= node.degree()) return body.corrupt("child index out of range");
            auto child = r_->read(node.child(static_cast<std::size_t>(*index)));
            if (!child) return child.error();
            if (*type == static_cast<Byte>(EntryType::file)) {
                if (auto r = restore_file(*child, dir.get(), entry, *flags == 1); !r) return r;
            } else if (*type == static_cast<Byte>(EntryType::directory)) {
                if (auto r = restore_directory(*child, dir.get(), entry, depth + 1); !r) return r;
            } else {
                return body.corrupt("unknown entry type " + std::to_string(*type));
            }
        }
        return body.finish();
    }

    const Reader<Codec, Store>* r_;
    RestoreOptions options_;
    std::uint64_t restored_ = 0;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_TREE_HPP
