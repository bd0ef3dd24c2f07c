// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Files and directories as encrypted DAGs: fixed-size chunks under a tree of chunk lists,
// directory listings with modes and times, split into pages when they are large, a root node
// that keeps the metadata of what was stored, deterministic roots, and a restore that
// recreates exactly that, never writing through a symlink.

#ifndef SEALPIPE_DAG_TREE_HPP
#define SEALPIPE_DAG_TREE_HPP

#include <sealpipe/codec/varint.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/dag/node.hpp>
#include <sealpipe/io/posix.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::dag {

/// The kind byte that opens every tree node's body (doc/dag.md, "Files and directories").
enum class NodeKind : Byte {
    chunk = 'C',         ///< file data, a leaf
    chunk_list = 'L',    ///< an inner node of a file's chunk tree
    file = 'F',          ///< a file: the root of its chunk tree
    entries = 'E',       ///< a directory listing, or one page of a split listing
    pages = 'P',         ///< a split directory listing: its pages (or further `pages` nodes) in order
    root = 'R',          ///< what `put_path` returns: the metadata of the stored file, directory or symlink
    directory_0_1 = 'D', ///< a directory of the 0.1 format (restored; no longer written)
};

/// What a directory entry is.
enum class EntryType : Byte { file = 0, directory = 1, symlink = 2 };

/// What is kept of an entry besides its name and content.
struct Metadata {
    EntryType type = EntryType::file;
    /// The permission bits (`st_mode & 07777`); restored on files and directories.
    std::uint32_t mode = 0644;
    /// The modification time.
    std::int64_t mtime_seconds = 0;
    std::uint32_t mtime_nanoseconds = 0;
    /// False only for entries of the 0.1 format, which kept no times.
    bool has_mtime = true;

    friend bool operator==(const Metadata&, const Metadata&) = default;
};

/// What `put_path` has done so far, for `TreeOptions::progress`.
struct TreeProgress {
    std::uint64_t files = 0;       ///< regular files stored
    std::uint64_t bytes = 0;       ///< file bytes read and stored (a file read again counts again)
    std::uint64_t total_files = 0; ///< regular files found when the tree was counted first
    std::uint64_t total_bytes = 0; ///< their size
};

/// An entry met while storing a tree, for `TreeOptions::filter`.
struct EntryInfo {
    std::string_view path;   ///< the path as given to `put_path`, then "/" and each name
    std::string_view name;   ///< its last component
    const struct stat& stat; ///< from `fstatat` without following a symlink
};

/// Options for storing trees.
struct TreeOptions {
    /// Size of every chunk but the last of a file (fixed-size chunking, doc/dag.md).
    std::size_t chunk_bytes = std::size_t{1} << 20;
    /// Children per chunk-list node.
    std::size_t fan_out = 4096;
    /// The most bytes of entries (and their children's references and parameters) in one
    /// directory node; a larger listing is split into pages of about this size.
    std::size_t page_bytes = std::size_t{256} << 10;
    /// The walk budget of the readers that will restore the tree (`ReaderOptions`): a tree
    /// that would need more is refused.
    std::uint64_t max_walk_bytes = std::uint64_t{256} << 20;
    /// How many times a file that changed while it was read is read again before it counts
    /// as unreadable.
    unsigned retries = 2;
    /// Called for every entry below the root; return false to leave it out.
    std::function<bool(const EntryInfo&)> filter;
    /** Called when an entry cannot be stored (unreadable, changed while read, a FIFO, socket
        or device); return true to leave it out and go on. Without it, or when it returns
        false, `put_path` fails. Errors of the store are never offered. */
    std::function<bool(std::string_view path, const Error&)> skip;
    /// Called after each chunk and each file.
    std::function<void(const TreeProgress&)> progress;
    /// Called with the path of each entry stored (a directory once all it holds is).
    std::function<void(std::string_view path)> stored;
};

/// Options for restoring trees.
struct RestoreOptions {
    /// Called after each chunk and each file: files and bytes restored so far, and the totals
    /// a root node announces (0 for a part of a tree, and for roots of the 0.1 format).
    std::function<void(const TreeProgress&)> progress;
    /// Polled between chunks and entries; when it returns true the restore stops with
    /// `errc::cancelled` and removes what it wrote.
    std::function<bool()> cancelled;
    /// Called with the path of each entry restored (files and directories once complete).
    std::function<void(std::string_view path)> restored;
};

namespace detail {

inline constexpr std::size_t max_name_bytes = 255;
inline constexpr std::size_t max_symlink_bytes = 4095;
/// The highest a reference may be (doc/protocol.md, "Validating a reference").
inline constexpr std::size_t max_height = 255;

[[nodiscard]] inline Error os_error(std::string_view what, std::string_view path, int err = errno) {
    return Error(errc::io_error, std::string(what) + " " + std::string(path) + ": " + std::strerror(err));
}

/// `dir + "/" + name`, for messages.
[[nodiscard]] inline std::string join(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (!out.empty() && out.back() != '/') out += '/';
    out += name;
    return out;
}

/// Reads a body field by field; every read is bounds-checked.
class BodyReader {
public:
    BodyReader(ByteView body, std::string where) : rest_(body), where_(std::move(where)) {}

    result<std::uint64_t> number(std::string_view what) { return read<std::uint64_t>(what); }
    result<std::int64_t> signed_number(std::string_view what) { return read<std::int64_t>(what); }
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
    Error corrupt(const std::string& why) const { return Error(errc::object_corrupt, where_ + ": " + why); }

private:
    template <class T>
    result<T> read(std::string_view what) {
        auto v = codec::varint::decode_forward<T>(rest_);
        if (!v) return corrupt(std::string(what) + ": " + v.error().message());
        rest_ = rest_.subspan(v->size);
        return v->value;
    }
    ByteView rest_;
    std::string where_;
};

inline void put_number(Bytes& out, std::uint64_t v) { codec::varint::append_forward(out, v); }

/// A name is one path component: no '/', no NUL, not "." or "..", 1 to 255 bytes.
inline result<void> check_name(std::string_view name) {
    if (name.empty() || name.size() > max_name_bytes)
        return fail(errc::malformed_input, "entry name of " + std::to_string(name.size()) + " bytes (1 to 255 allowed)");
    if (name == "." || name == "..")
        return fail(errc::malformed_input, "entry name '" + std::string(name) + "' is not allowed");
    if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos)
        return fail(errc::malformed_input, "entry name contains '/' or NUL");
    return {};
}

/// A symlink target is kept as it was (absolute, or climbing out of the tree, alike); it may
/// not be empty, longer than 4095 bytes, or hold NUL.
inline result<void> check_symlink_target(std::string_view target) {
    if (target.empty() || target.size() > max_symlink_bytes || target.find('\0') != std::string_view::npos)
        return fail(errc::malformed_input, "symlink target is empty, longer than 4095 bytes or contains NUL");
    return {};
}

inline Metadata metadata_of(const struct stat& st, EntryType type) {
    return Metadata{.type = type,
                    .mode = static_cast<std::uint32_t>(st.st_mode & 07777),
                    .mtime_seconds = static_cast<std::int64_t>(st.st_mtim.tv_sec),
                    .mtime_nanoseconds = static_cast<std::uint32_t>(st.st_mtim.tv_nsec)};
}

/// Appends an entry's metadata: type, mode, mtime seconds (signed), mtime nanoseconds.
inline void put_metadata(Bytes& out, const Metadata& m) {
    out.push_back(static_cast<Byte>(m.type));
    put_number(out, m.mode);
    codec::varint::append_forward(out, m.mtime_seconds);
    put_number(out, m.mtime_nanoseconds);
}

inline result<Metadata> read_metadata(BodyReader& body) {
    Metadata m;
    auto type = body.byte("entry type");
    if (!type) return type.error();
    if (*type > static_cast<Byte>(EntryType::symlink)) return body.corrupt("unknown entry type " + std::to_string(*type));
    m.type = static_cast<EntryType>(*type);
    auto mode = body.number("mode");
    if (!mode) return mode.error();
    if (*mode > 07777) return body.corrupt("mode " + std::to_string(*mode) + " has bits beyond 07777");
    m.mode = static_cast<std::uint32_t>(*mode);
    auto seconds = body.signed_number("mtime");
    if (!seconds) return seconds.error();
    m.mtime_seconds = *seconds;
    auto nanos = body.number("mtime nanoseconds");
    if (!nanos) return nanos.error();
    if (*nanos >= 1'000'000'000) return body.corrupt("mtime nanoseconds " + std::to_string(*nanos) + " out of range");
    m.mtime_nanoseconds = static_cast<std::uint32_t>(*nanos);
    return m;
}

/** The bytes an entry may take in a directory node, counted the same way when a tree is
    counted first and when it is stored: name, metadata, a child index of up to 4 bytes or the
    symlink target, and for a child its 40-byte reference and its decoding parameters. */
inline std::size_t entry_cost(std::size_t name_bytes, const Metadata& m, std::size_t target_bytes,
                              std::size_t parameters_bytes) {
    using codec::varint::forward_size;
    std::size_t n = forward_size(name_bytes) + name_bytes + 1 + forward_size(m.mode) +
                    forward_size(m.mtime_seconds) + forward_size(m.mtime_nanoseconds);
    if (m.type == EntryType::symlink) n += forward_size(target_bytes) + target_bytes;
    else n += 4 + 40 + parameters_bytes;
    return n;
}

/** Groups items level by level into lists of at most `fan_out` (a file's chunk tree, a split
    directory's pages): each full level is written as one list and becomes an item of the
    level above. `write(level items)` makes a list of them. */
template <class Item, class Write>
class Levels {
public:
    Levels(std::size_t fan_out, Write write) : fan_out_(std::max<std::size_t>(fan_out, 2)), write_(std::move(write)) {}

    result<void> push(Item item) { return push(0, std::move(item)); }

    /// Flushes the partial levels upwards and returns the top level's items, in order (a
    /// flushed list goes to the end of the level above, after everything that precedes it).
    result<std::vector<Item>> finish() {
        for (std::size_t level = 0; level + 1 < levels_.size(); ++level)
            if (!levels_[level].empty())
                if (auto r = flush(level); !r) return r.error();
        if (levels_.empty()) return std::vector<Item>{};
        return std::move(levels_.back());
    }
    /// Whether a list was written (more than `fan_out` items, or exactly).
    bool grew() const noexcept { return levels_.size() > 1; }

private:
    result<void> push(std::size_t level, Item item) {
        if (levels_.size() <= level) levels_.resize(level + 1);
        levels_[level].push_back(std::move(item));
        if (levels_[level].size() == fan_out_) return flush(level);
        return {};
    }
    result<void> flush(std::size_t level) {
        std::vector<Item> items = std::move(levels_[level]);
        levels_[level].clear();
        auto list = write_(items);
        if (!list) return list.error();
        return push(level + 1, std::move(*list));
    }

    std::size_t fan_out_;
    Write write_;
    std::vector<std::vector<Item>> levels_;
};

/// Splits a sorted listing into pages: a page ends before the entry that would take it past
/// `page_bytes` (a page holds at least one entry).
struct Pager {
    std::size_t page_bytes;
    std::size_t used = 0;
    std::size_t count = 0;
    /// Whether an entry of `cost` bytes starts a new page.
    bool starts_page(std::size_t cost) const noexcept { return count > 0 && used + cost > page_bytes; }
    void add(std::size_t cost) noexcept {
        used += cost;
        ++count;
    }
    void reset() noexcept { used = count = 0; }
};

/// Children per `pages` node: as many as fit in `page_bytes`.
inline std::size_t pages_fan_out(std::size_t page_bytes, std::size_t parameters_bytes) {
    return std::max<std::size_t>(2, page_bytes / (40 + parameters_bytes + 4));
}

/// The height of a list of items of the given heights (0 for an empty list: a leaf).
template <class Items, class Height>
std::size_t list_height(const Items& items, Height height) {
    std::size_t h = 0;
    for (const auto& i : items) h = std::max(h, height(i) + 1);
    return h;
}

/// A directory's entry names, sorted bytewise.
inline result<std::vector<std::string>> list_names(int fd, const std::string& path) {
    const int copy = ::dup(fd);
    if (copy < 0) return os_error("cannot list", path);
    DIR* dir = ::fdopendir(copy);
    if (!dir) {
        const int err = errno;
        ::close(copy);
        return os_error("cannot list", path, err);
    }
    std::unique_ptr<DIR, int (*)(DIR*)> guard(dir, ::closedir);
    ::rewinddir(dir);
    std::vector<std::string> names;
    for (;;) {
        errno = 0;
        const dirent* e = ::readdir(dir);
        if (!e) {
            if (errno != 0) return os_error("cannot list", path);
            break;
        }
        const std::string_view name = e->d_name;
        if (name == "." || name == "..") continue;
        names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

/// Whether every byte is zero.
inline bool all_zero(ByteView b) noexcept {
    return std::all_of(b.begin(), b.end(), [](Byte x) { return x == 0; });
}

/// Removes what a failed restore wrote below `parent`: never follows a symlink, and makes
/// each directory writable first. Best effort.
inline void remove_tree(int parent, const std::string& name) {
    struct stat st {};
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        ::unlinkat(parent, name.c_str(), 0);
        return;
    }
    {
        io::posix::Fd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (fd) {
            ::fchmod(fd.get(), 0700);
            if (auto names = list_names(fd.get(), name))
                for (const auto& n : *names) remove_tree(fd.get(), n);
        }
    }
    ::unlinkat(parent, name.c_str(), AT_REMOVEDIR);
}

} // namespace detail

/** Stores files and directories as DAGs through a `Writer`.

    `put_path` counts the tree first (names and `fstatat` only), so that a tree that could not
    be restored (too deep for the 255 levels a reference allows) is refused before anything is
    stored, then stores it. Everything below the root is opened relative to its directory
    (`openat`, `O_NOFOLLOW | O_NONBLOCK`) and checked with `fstat` once open, so neither path
    length nor a swap of a file for a symlink or a FIFO matters. */
template <class Codec, class Store>
class TreeWriter {
public:
    TreeWriter(Writer<Codec, Store>& writer, TreeOptions options = {}) : w_(&writer), options_(std::move(options)) {}

    /** Stores a byte string as a file DAG and returns the link to its `file` node. */
    [[nodiscard]] result<Link> put_bytes(ByteView data) {
        empty_file_.reset();
        FileBuilder b(*this);
        for (std::size_t off = 0; off < data.size(); off += options_.chunk_bytes) {
            const std::size_t n = std::min(options_.chunk_bytes, data.size() - off);
            if (auto r = b.add_chunk(data.subspan(off, n)); !r) return r.error();
        }
        auto link = b.finish();
        if (!link) return link;
        if (auto c = w_->commit(); !c) return c.error();
        return link;
    }

    /** Stores the regular file at `path` (not following a final symlink) and returns the link
        to its `file` node (content only: `put_path` keeps its mode and time). */
    [[nodiscard]] result<Link> put_file(const std::filesystem::path& path) {
        const std::string p = path.string();
        io::posix::Fd fd(::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        if (!fd) return detail::os_error("cannot open", p);
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return detail::os_error("cannot stat", p);
        if (!S_ISREG(st.st_mode)) return fail(errc::unsupported, p + " is not a regular file");
        empty_file_.reset();
        auto link = read_file(fd.get(), st, p);
        if (!link) return link.error();
        if (!*link) return fail(errc::io_error, p + " was left out");
        if (auto c = w_->commit(); !c) return c.error();
        return std::move(**link);
    }

    /** Stores a file, a directory tree or a symlink and returns the link to a `root` node
        that keeps its metadata. Directory entries keep names, types, permission bits, mtimes,
        symlink targets and contents, sorted by name bytes, so the same tree (content and
        metadata) always yields the same root.
        @par Errors `errc::size_limit_exceeded` for a tree too deep to restore (found before
        anything is stored); `errc::unsupported` for FIFOs, sockets and devices;
        `errc::io_error` for what cannot be read, or a file that kept changing while it was
        read (unless `TreeOptions::skip` leaves them out); the store's errors, and
        `errc::object_not_found` when an object stored by this put was removed before the
        end (`Writer::commit`). */
    [[nodiscard]] result<Link> put_path(const std::filesystem::path& path) {
        // A trailing '/' is kept for the calls (it makes a symlink to a directory name the
        // directory, as it does everywhere), not in messages.
        const std::string given = path.string();
        std::string display = given;
        while (display.size() > 1 && display.back() == '/') display.pop_back();
        progress_ = {};
        empty_file_.reset();
        auto shape = scan_entry(AT_FDCWD, given, display, 0, true);
        if (!shape) return shape.error();
        if (!*shape) return fail(errc::io_error, display + " was left out");
        if ((*shape)->height + 1 > detail::max_height)
            return fail(errc::size_limit_exceeded,
                        display + ": too deep to store: its DAG would be " + std::to_string((*shape)->height + 1) +
                            " levels high, " + std::to_string(detail::max_height) + " allowed (" + (*shape)->deepest +
                            " is the deepest path; doc/dag.md, \"Limits\")");
        progress_.total_files = (*shape)->files;
        progress_.total_bytes = (*shape)->bytes;
        report();

        auto entry = put_entry(AT_FDCWD, given, display, 0, true);
        if (!entry) return entry.error();
        if (!*entry) return fail(errc::io_error, display + " was left out");
        ChildSet children;
        if ((*entry)->link) children.add(*(*entry)->link);
        Bytes body{static_cast<Byte>(NodeKind::root)};
        detail::put_metadata(body, (*entry)->meta);
        if ((*entry)->link) {
            detail::put_number(body, 0);
        } else {
            detail::put_number(body, (*entry)->target.size());
            append(body, as_bytes((*entry)->target));
        }
        detail::put_number(body, (*entry)->files);
        detail::put_number(body, (*entry)->bytes);
        auto root = w_->write(children.links(), body);
        if (!root) return std::move(root.error()).context(display);
        const std::uint64_t walk = std::uint64_t{root->reference.size()} + root->reference.max_parents_total_size();
        if (walk > options_.max_walk_bytes)
            return fail(errc::size_limit_exceeded, display + ": restoring it would hold up to " + std::to_string(walk) +
                                                        " bytes of parent nodes, more than the " +
                                                        std::to_string(options_.max_walk_bytes) + " allowed");
        if (auto c = w_->commit(); !c) return c.error();
        return root;
    }

    /// What the last `put_path` did.
    [[nodiscard]] const TreeProgress& progress() const noexcept { return progress_; }

private:
    /// What an entry became: its metadata, and its node (files, directories) or its target.
    struct Stored {
        Metadata meta;
        std::optional<Link> link;
        std::string target;
        std::uint64_t files = 0; ///< regular files in it
        std::uint64_t bytes = 0; ///< their size
    };
    /// What counting an entry found: the height its node will have, and what it holds.
    struct Shape {
        Metadata meta;
        std::size_t target_bytes = 0;
        std::size_t height = 0;
        std::uint64_t files = 0;
        std::uint64_t bytes = 0;
        std::string deepest;
    };

    void report() {
        if (options_.progress) options_.progress(progress_);
    }

    /// A failure of the tree being read (not of the store): offered to `options_.skip`.
    template <class T>
    result<std::optional<T>> source_failure(const std::string& path, Error e) {
        if (options_.skip && options_.skip(path, e)) return std::optional<T>();
        return e;
    }

    /// `fstatat` of an entry and the filter; nullopt when it is left out. The root is stated
    /// by its path, following nothing.
    result<std::optional<struct stat>> stat_entry(int dir, const std::string& name, const std::string& path, bool root,
                                                  bool offer) {
        struct stat st {};
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            Error e = detail::os_error("cannot stat", path);
            if (!offer) return options_.skip && !root ? result<std::optional<struct stat>>(std::nullopt) : e;
            return source_failure<struct stat>(path, std::move(e));
        }
        if (!root && options_.filter && !options_.filter(EntryInfo{path, name, st})) return std::nullopt;
        return st;
    }

    static Error unsupported(const std::string& path, const struct stat& st) {
        const char* what = S_ISFIFO(st.st_mode)   ? "a FIFO"
                           : S_ISSOCK(st.st_mode) ? "a socket"
                           : S_ISCHR(st.st_mode)  ? "a character device"
                           : S_ISBLK(st.st_mode)  ? "a block device"
                                                  : "of an unknown type";
        return fail(errc::unsupported, path + " is " + what + " (only files, directories and symlinks are stored)");
    }

    /** Opens an entry found by `fstatat` as `st`, without following a symlink or blocking on a
        FIFO, and checks that it is still the same file; nullopt (after `skip`) when it is not. */
    result<std::optional<io::posix::Fd>> open_entry(int dir, const std::string& name, const std::string& path,
                                                    const struct stat& st, bool offer) {
        const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0);
        io::posix::Fd fd(::openat(dir, name.c_str(), flags));
        struct stat now {};
        Error e;
        if (!fd) e = detail::os_error("cannot open", path);
        else if (::fstat(fd.get(), &now) != 0) e = detail::os_error("cannot stat", path);
        else if (now.st_dev != st.st_dev || now.st_ino != st.st_ino || (now.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
            e = fail(errc::io_error, path + " was replaced while it was being stored");
        else return std::optional<io::posix::Fd>(std::move(fd));
        if (!offer) return options_.skip ? result<std::optional<io::posix::Fd>>(std::nullopt) : e;
        return source_failure<io::posix::Fd>(path, std::move(e));
    }

    /// Counts an entry (no data read): its height, files and bytes. nullopt when left out.
    result<std::optional<Shape>> scan_entry(int dir, const std::string& name, const std::string& path, std::size_t depth,
                                            bool root) {
        auto st = stat_entry(dir, name, path, root, false);
        if (!st) return st.error();
        if (!*st) return std::optional<Shape>();
        const struct stat& s = **st;
        Shape shape;
        shape.deepest = path;
        if (S_ISREG(s.st_mode)) {
            shape.meta = detail::metadata_of(s, EntryType::file);
            shape.files = 1;
            shape.bytes = static_cast<std::uint64_t>(s.st_size);
            shape.height = file_height(shape.bytes);
        } else if (S_ISLNK(s.st_mode)) {
            shape.meta = detail::metadata_of(s, EntryType::symlink);
            shape.target_bytes = static_cast<std::size_t>(s.st_size);
        } else if (S_ISDIR(s.st_mode)) {
            shape.meta = detail::metadata_of(s, EntryType::directory);
            auto fd = open_entry(dir, name, path, s, false);
            if (!fd) return fd.error();
            if (!*fd) return std::optional<Shape>();
            auto names = detail::list_names((*fd)->get(), path);
            if (!names) {
                if (options_.skip) return std::optional<Shape>();
                return names.error();
            }
            // The same pages and levels as `put_directory` builds, with heights for links.
            struct Item {
                std::size_t height;
                std::string deepest;
            };
            auto deeper = [](Item& a, const Item& b) {
                if (b.height + 1 > a.height) a = {b.height + 1, b.deepest};
            };
            const std::size_t p = w_->parameters_size();
            auto write = [&](const std::vector<Item>& items) {
                Item list{0, {}};
                for (const auto& i : items) deeper(list, i);
                return result<Item>(std::move(list));
            };
            detail::Levels<Item, decltype(write)> levels(detail::pages_fan_out(options_.page_bytes, p), write);
            detail::Pager pager{options_.page_bytes};
            Item page{0, path};
            std::size_t pages = 0;
            for (const auto& n : *names) {
                auto child = scan_entry((*fd)->get(), n, detail::join(path, n), depth + 1, false);
                if (!child) return child.error();
                if (!*child) continue;
                shape.files += (*child)->files;
                shape.bytes += (*child)->bytes;
                const std::size_t cost = detail::entry_cost(n.size(), (*child)->meta, (*child)->target_bytes, p);
                if (pager.starts_page(cost)) {
                    if (auto r = levels.push(std::move(page)); !r) return r.error();
                    ++pages;
                    page = {0, path};
                    pager.reset();
                }
                pager.add(cost);
                if ((*child)->meta.type != EntryType::symlink) deeper(page, {(*child)->height, (*child)->deepest});
            }
            Item top = page;
            if (pages > 0) {
                if (auto r = levels.push(std::move(page)); !r) return r.error();
                auto items = levels.finish();
                if (!items) return items.error();
                if (items->size() == 1 && levels.grew()) {
                    top = std::move(items->front());
                } else {
                    top = {0, path};
                    for (const auto& i : *items) deeper(top, i);
                }
            }
            shape.height = top.height;
            shape.deepest = top.deepest;
        } else {
            if (options_.skip) return std::optional<Shape>();
            return unsupported(path, s);
        }
        return shape;
    }

    /// The height of a file's node, from its size (the same levels `FileBuilder` makes).
    std::size_t file_height(std::uint64_t size) const {
        if (size == 0) return 0;
        const std::uint64_t chunks = (size + options_.chunk_bytes - 1) / options_.chunk_bytes;
        auto write = [](const std::vector<std::size_t>& items) {
            return result<std::size_t>(detail::list_height(items, [](std::size_t h) { return h; }));
        };
        detail::Levels<std::size_t, decltype(write)> levels(options_.fan_out, write);
        for (std::uint64_t i = 0; i < chunks; ++i) (void)levels.push(0);
        const auto top = levels.finish().value();
        return detail::list_height(top, [](std::size_t h) { return h; });
    }

    /// Stores an entry; nullopt when it is left out.
    result<std::optional<Stored>> put_entry(int dir, const std::string& name, const std::string& path,
                                            std::size_t depth, bool root) {
        auto e = store_entry(dir, name, path, depth, root);
        if (e && *e && options_.stored) options_.stored(path);
        return e;
    }

    result<std::optional<Stored>> store_entry(int dir, const std::string& name, const std::string& path,
                                              std::size_t depth, bool root) {
        auto st = stat_entry(dir, name, path, root, true);
        if (!st) return st.error();
        if (!*st) return std::optional<Stored>();
        const struct stat& s = **st;
        Stored out;
        if (S_ISLNK(s.st_mode)) {
            out.meta = detail::metadata_of(s, EntryType::symlink);
            std::string target(detail::max_symlink_bytes + 1, '\0');
            const ssize_t n = ::readlinkat(dir, name.c_str(), target.data(), target.size());
            if (n < 0) return source_failure<Stored>(path, detail::os_error("cannot read symlink", path));
            target.resize(static_cast<std::size_t>(n));
            if (auto c = detail::check_symlink_target(target); !c)
                return source_failure<Stored>(path, std::move(c.error()).context(path));
            out.target = std::move(target);
            return std::optional<Stored>(std::move(out));
        }
        if (!S_ISREG(s.st_mode) && !S_ISDIR(s.st_mode)) return source_failure<Stored>(path, unsupported(path, s));
        auto fd = open_entry(dir, name, path, s, true);
        if (!fd) return fd.error();
        if (!*fd) return std::optional<Stored>();
        if (S_ISDIR(s.st_mode)) {
            out.meta = detail::metadata_of(s, EntryType::directory);
            auto link = put_directory((*fd)->get(), path, depth, out);
            if (!link) return link.error();
            if (!*link) return std::optional<Stored>();
            out.link = std::move(**link);
            return std::optional<Stored>(std::move(out));
        }
        auto link = read_file((*fd)->get(), s, path);
        if (!link) return link.error();
        if (!*link) return std::optional<Stored>();
        // The mode and time the file had while it was read, unchanged.
        out.meta = detail::metadata_of(last_stat_, EntryType::file);
        out.link = std::move(**link);
        out.files = 1;
        out.bytes = static_cast<std::uint64_t>(last_stat_.st_size);
        ++progress_.files;
        report();
        return std::optional<Stored>(std::move(out));
    }

    /** Reads an open regular file into a file DAG: the size `fstat` gave before, then one byte
        more to see that it did not grow. Its size, mtime and ctime are compared before and
        after: a file that changed is read again, up to `retries` times, and then counts as
        unreadable. `last_stat_` gets the state it was read in. */
    result<std::optional<Link>> read_file(int fd, struct stat before, const std::string& path) {
        Bytes chunk(options_.chunk_bytes);
        auto read_at = [&](Byte* into, std::size_t n, std::uint64_t at) -> result<std::size_t> {
            std::size_t filled = 0;
            while (filled < n) {
                const ssize_t got = ::pread(fd, into + filled, n - filled, static_cast<off_t>(at + filled));
                if (got < 0) {
                    if (errno == EINTR) continue;
                    return detail::os_error("cannot read", path);
                }
                if (got == 0) break;
                filled += static_cast<std::size_t>(got);
            }
            return filled;
        };
        for (unsigned attempt = 0;; ++attempt) {
            FileBuilder b(*this);
            const auto size = static_cast<std::uint64_t>(before.st_size);
            std::uint64_t offset = 0;
            while (offset < size) {
                const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - offset));
                auto filled = read_at(chunk.data(), want, offset);
                if (!filled) return source_failure<Link>(path, std::move(filled.error()));
                if (*filled == 0) break;   // shorter than it was
                if (auto r = b.add_chunk(ByteView(chunk).first(*filled)); !r) return std::move(r.error()).context(path);
                offset += *filled;
                if (*filled < want) break;
            }
            Byte extra = 0;
            auto beyond = read_at(&extra, 1, offset);
            if (!beyond) return source_failure<Link>(path, std::move(beyond.error()));
            struct stat after {};
            if (::fstat(fd, &after) != 0) return source_failure<Link>(path, detail::os_error("cannot stat", path));
            const bool same = *beyond == 0 && offset == size && after.st_size == before.st_size &&
                              after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                              after.st_mtim.tv_nsec == before.st_mtim.tv_nsec &&
                              after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
                              after.st_ctim.tv_nsec == before.st_ctim.tv_nsec;
            if (same) {
                auto link = b.finish();
                if (!link) return std::move(link.error()).context(path);
                last_stat_ = after;
                return std::optional<Link>(std::move(*link));
            }
            if (attempt >= options_.retries)
                return source_failure<Link>(
                    path, fail(errc::io_error, path + " changed while it was being read (" +
                                                    std::to_string(attempt + 1) + " times; " +
                                                    std::to_string(before.st_size) + " bytes before, " +
                                                    std::to_string(offset + *beyond) + " read, " +
                                                    std::to_string(after.st_size) + " after)"));
            before = after;
        }
    }

    /// Builds one file's chunk tree level by level, holding at most fan_out links per level.
    class FileBuilder {
    public:
        explicit FileBuilder(TreeWriter& t)
            : t_(&t), levels_(t.options_.fan_out, [&t](const std::vector<Item>& items) -> result<Item> {
                  std::uint64_t size = 0;
                  for (const auto& i : items) size += i.size;
                  auto link = t.write_list(NodeKind::chunk_list, items, size);
                  if (!link) return link.error();
                  return Item{std::move(*link), size};
              }) {}

        result<void> add_chunk(ByteView data) {
            Bytes body;
            body.reserve(1 + data.size());
            body.push_back(static_cast<Byte>(NodeKind::chunk));
            append(body, data);
            auto link = t_->w_->write({}, body);
            if (!link) return link.error();
            total_ += data.size();
            t_->progress_.bytes += data.size();
            t_->report();
            return levels_.push({std::move(*link), data.size()});
        }

        result<Link> finish() {
            auto top = levels_.finish();
            if (!top) return top.error();
            // Empty files are many and all alike: one is stored per put.
            if (total_ == 0 && t_->empty_file_) return *t_->empty_file_;
            auto link = t_->write_list(NodeKind::file, *top, total_);
            if (link && total_ == 0) t_->empty_file_ = *link;
            return link;
        }

    private:
        struct Item {
            Link link;
            std::uint64_t size;
        };
        using Write = std::function<result<Item>(const std::vector<Item>&)>;

        TreeWriter* t_;
        detail::Levels<Item, Write> levels_;
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

    /** Stores a directory's listing: one `entries` node when it fits in `page_bytes`, else
        pages of entries under `pages` nodes (doc/dag.md). Only one page of entries is held. */
    result<std::optional<Link>> put_directory(int fd, const std::string& path, std::size_t depth, Stored& totals) {
        auto names = detail::list_names(fd, path);
        if (!names) return source_failure<Link>(path, std::move(names.error()));
        struct Page {
            Link link;
            std::uint64_t entries;
        };
        using Write = std::function<result<Page>(const std::vector<Page>&)>;
        detail::Levels<Page, Write> levels(detail::pages_fan_out(options_.page_bytes, w_->parameters_size()),
                                           [&](const std::vector<Page>& pages) -> result<Page> {
                                               return write_pages(pages, path);
                                           });
        detail::Pager pager{options_.page_bytes};
        std::vector<std::pair<std::string, Stored>> page;
        std::size_t pages = 0;
        for (auto& n : *names) {
            auto child = put_entry(fd, n, detail::join(path, n), depth + 1, false);
            if (!child) return child.error();
            if (!*child) continue;
            const std::size_t cost = detail::entry_cost(n.size(), (*child)->meta, (*child)->target.size(),
                                                        w_->parameters_size());
            if (pager.starts_page(cost)) {
                auto link = write_entries(page, path);
                if (!link) return link.error();
                if (auto r = levels.push(Page{std::move(*link), page.size()}); !r) return r.error();
                ++pages;
                page.clear();
                pager.reset();
            }
            pager.add(cost);
            totals.files += (*child)->files;
            totals.bytes += (*child)->bytes;
            page.emplace_back(std::move(n), std::move(**child));
        }
        auto link = write_entries(page, path);
        if (!link) return link.error();
        if (pages == 0) return std::optional<Link>(std::move(*link));   // the listing fits in one node
        if (auto r = levels.push(Page{std::move(*link), page.size()}); !r) return r.error();
        auto top = levels.finish();
        if (!top) return top.error();
        if (top->size() == 1 && levels.grew()) return std::optional<Link>(std::move(top->front().link));
        auto list = write_pages(*top, path);
        if (!list) return list.error();
        return std::optional<Link>(std::move(list->link));
    }

    result<Link> write_entries(const std::vector<std::pair<std::string, Stored>>& entries, const std::string& path) {
        ChildSet children;
        for (const auto& [name, e] : entries)
            if (e.link) children.add(*e.link);
        Bytes body{static_cast<Byte>(NodeKind::entries)};
        detail::put_number(body, entries.size());
        for (const auto& [name, e] : entries) {
            detail::put_number(body, name.size());
            append(body, as_bytes(name));
            detail::put_metadata(body, e.meta);
            if (e.link) {
                auto index = children.index_of(e.link->reference);
                if (!index) return index.error();
                detail::put_number(body, *index);
            } else {
                detail::put_number(body, e.target.size());
                append(body, as_bytes(e.target));
            }
        }
        auto link = w_->write(children.links(), body);
        if (!link) return std::move(link.error()).context("directory " + path);
        return link;
    }

    template <class Page>
    result<Page> write_pages(const std::vector<Page>& pages, const std::string& path) {
        ChildSet children;
        std::uint64_t entries = 0;
        for (const auto& p : pages) {
            children.add(p.link);
            entries += p.entries;
        }
        Bytes body{static_cast<Byte>(NodeKind::pages)};
        detail::put_number(body, entries);
        detail::put_number(body, pages.size());
        for (const auto& p : pages) {
            auto index = children.index_of(p.link.reference);
            if (!index) return index.error();
            detail::put_number(body, *index);
        }
        auto link = w_->write(children.links(), body);
        if (!link) return std::move(link.error()).context("directory " + path);
        return Page{std::move(*link), entries};
    }

    Writer<Codec, Store>* w_;
    TreeOptions options_;
    TreeProgress progress_;
    struct stat last_stat_ {};
    std::optional<Link> empty_file_;
};

/** Restores file and directory DAGs. Every object is validated against its reference before
    it is decoded; sizes are checked against what the nodes declare; names are checked before
    anything is created, and nothing is ever written through a symlink. */
template <class Codec, class Store>
class TreeReader {
public:
    TreeReader(const Reader<Codec, Store>& reader, RestoreOptions options = {})
        : r_(&reader), options_(std::move(options)) {}

    /// Reads a whole file DAG into memory (for small files and tests; `limit` bounds it).
    [[nodiscard]] result<Bytes> get_bytes(const Link& file, std::size_t limit) {
        progress_ = {};
        Bytes out;
        auto sink = [&](ByteView chunk) -> result<void> {
            if (chunk.size() > limit - out.size())
                return fail(errc::size_limit_exceeded, "file is larger than " + std::to_string(limit) + " bytes");
            append(out, chunk);
            return {};
        };
        if (auto b = r_->check_walk_budget(file.reference); !b) return b.error();
        auto node = r_->read(file);
        if (!node) return node.error();
        if (auto r = read_list(*node, NodeKind::file, sink); !r) return r.error();
        return out;
    }

    /** Restores the file, directory or symlink at `root` to `out`, which must not exist.
        Everything is written under a temporary name beside `out` and renamed to `out` at the
        end; on failure (or cancellation) what was written is removed, so `out` either appears
        whole or not at all.
        @par Errors `errc::malformed_input` for hostile names; `errc::object_corrupt` for
        inconsistent nodes; `errc::io_error` when `out` exists or cannot be created;
        `errc::cancelled`; every error of `Reader::read`. Messages name the path being
        restored, under `out`. */
    [[nodiscard]] result<void> restore(const Link& root, const std::filesystem::path& out) {
        return into(root, out, [&](int dir, const std::string& temporary, const std::string& target) {
            return restore_root(root, dir, temporary, target);
        });
    }

    /// What the last restore did.
    [[nodiscard]] const TreeProgress& progress() const noexcept { return progress_; }

    /** Restores one entry of the tree at `root`, the file, directory or symlink at the path
        `inside` (names separated by '/'), to `out`, as `restore` does.
        @par Errors as `restore`; `errc::invalid_argument` when `inside` names nothing in the
        tree, climbs with "..", or goes through something that is not a directory. */
    [[nodiscard]] result<void> restore(const Link& root, std::string_view inside, const std::filesystem::path& out) {
        std::vector<std::string> names;
        for (std::size_t at = 0; at <= inside.size();) {
            std::size_t end = inside.find('/', at);
            if (end == std::string_view::npos) end = inside.size();
            const std::string_view part = inside.substr(at, end - at);
            if (part == "..") return fail(errc::invalid_argument, "'" + std::string(inside) + "' climbs with '..'");
            if (!part.empty() && part != ".") names.emplace_back(part);
            at = end + 1;
        }
        if (names.empty()) return restore(root, out);
        return into(root, out, [&](int dir, const std::string& temporary, const std::string& target) {
            return restore_inside(root, names, dir, temporary, target);
        });
    }

private:
    /** Runs `body(dir, temporary, target)`, which restores into `dir` under the name
        `temporary`, then renames that to `out` (never replacing anything); on failure,
        removes what `body` wrote. */
    template <class Body>
    result<void> into(const Link& root, const std::filesystem::path& out, Body&& body) {
        if (auto b = r_->check_walk_budget(root.reference); !b) return b.error();
        std::string target = out.string();
        while (target.size() > 1 && target.back() == '/') target.pop_back();
        const std::filesystem::path clean(target);
        const std::filesystem::path parent = clean.has_parent_path() ? clean.parent_path() : std::filesystem::path(".");
        const std::string name = clean.filename().string();
        if (name.empty() || name == "." || name == "..")
            return fail(errc::invalid_argument, "cannot restore to '" + target + "': name a new file or directory");
        io::posix::Fd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir) return detail::os_error("cannot open", parent.string());
        struct stat st {};
        if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
            return fail(errc::io_error, "cannot restore to " + target + ": it exists");
        std::array<Byte, 8> salt{};
        if (auto r = random_bytes(salt); !r) return r.error();
        const std::string temporary = ".sealpipe-partial-" + hex_encode(salt);
        progress_ = {};
        result<void> r = body(dir.get(), temporary, target);
        if (r) r = publish(dir.get(), temporary, name, target);
        if (!r) detail::remove_tree(dir.get(), temporary);
        else if (options_.restored) options_.restored(target);
        return r;
    }

    /// Renames the restored tree into place, without replacing anything that appeared there.
    static result<void> publish(int dir, const std::string& temporary, const std::string& name,
                                const std::string& target) {
#ifdef RENAME_NOREPLACE
        if (::renameat2(dir, temporary.c_str(), dir, name.c_str(), RENAME_NOREPLACE) == 0) return {};
        if (errno == EEXIST) return fail(errc::io_error, "cannot restore to " + target + ": it appeared during the restore");
        if (errno != EINVAL && errno != ENOSYS) return detail::os_error("cannot rename the restored tree to", target);
#endif
        struct stat st {};
        if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
            return fail(errc::io_error, "cannot restore to " + target + ": it appeared during the restore");
        if (::renameat(dir, temporary.c_str(), dir, name.c_str()) != 0)
            return detail::os_error("cannot rename the restored tree to", target);
        return {};
    }

    /// Finds `names` below `root`, one listing at a time, and restores what the last names.
    result<void> restore_inside(const Link& root, const std::vector<std::string>& names, int dir,
                                const std::string& temporary, const std::string& target) {
        auto top = r_->read(root);
        if (!top) return top.error();
        if (top->body().empty()) return fail(errc::object_corrupt, "dag: root node is empty");
        std::optional<Node> listing;
        const auto kind = static_cast<NodeKind>(top->body()[0]);
        if (kind == NodeKind::root) {
            detail::BodyReader body(top->body().subspan(1), "dag: " + top->reference().to_string());
            auto meta = detail::read_metadata(body);
            if (!meta) return meta.error();
            if (meta->type != EntryType::directory || top->degree() != 1)
                return fail(errc::invalid_argument, "the root is not a directory: it holds no '" + names.front() + "'");
            auto child = r_->read(top->child(0));
            if (!child) return child.error();
            listing.emplace(std::move(*child));
        } else if (kind == NodeKind::entries || kind == NodeKind::pages || kind == NodeKind::directory_0_1) {
            listing.emplace(std::move(*top));
        } else {
            return fail(errc::invalid_argument, "the root is not a directory: it holds no '" + names.front() + "'");
        }
        std::string inside;
        for (std::size_t k = 0; k < names.size(); ++k) {
            struct Found {
                Metadata meta;
                std::string target;
                std::optional<Link> link;
            };
            std::optional<Found> found;
            auto visit = [&](const Entry& e) -> result<bool> {
                if (e.name < names[k]) return true;
                if (e.name == names[k])
                    found = Found{e.meta, e.target ? *e.target : std::string(),
                                  e.target ? std::nullopt : std::optional<Link>(e.node->child(e.child))};
                return false;
            };
            Listing seen;
            if (auto r = walk_listing(*listing, inside, seen, 0, visit); !r) return r.error();
            inside = detail::join(inside, names[k]);
            if (!found) return fail(errc::invalid_argument, "the tree holds no '" + inside + "'");
            if (k + 1 == names.size()) {
                if (found->link) {
                    auto node = r_->read(*found->link);
                    if (!node) return std::move(node.error()).context("restoring " + target);
                    return restore_entry(*node, dir, temporary, found->meta, target);
                }
                return restore_symlink(dir, temporary, found->target, found->meta, target);
            }
            if (found->meta.type != EntryType::directory)
                return fail(errc::invalid_argument, "'" + inside + "' is not a directory");
            auto next = r_->read(*found->link);
            if (!next) return next.error();
            listing.emplace(std::move(*next));
        }
        return {};
    }

    result<void> check_cancelled() const {
        if (options_.cancelled && options_.cancelled()) return fail(errc::cancelled, "restore interrupted");
        return {};
    }

    void report() {
        if (options_.progress) options_.progress(progress_);
    }

    result<void> restore_root(const Link& root, int dir, const std::string& name, const std::string& path) {
        auto node = r_->read(root);
        if (!node) return node.error();
        if (node->body().empty()) return fail(errc::object_corrupt, "dag: root node is empty");
        switch (static_cast<NodeKind>(node->body()[0])) {
        case NodeKind::root: {
            detail::BodyReader body(node->body().subspan(1), "dag: " + node->reference().to_string());
            auto meta = detail::read_metadata(body);
            if (!meta) return meta.error();
            std::string target;
            if (meta->type == EntryType::symlink) {
                if (node->degree() != 0) return body.corrupt("a symlink root with children");
                auto t = read_target(body);
                if (!t) return t.error();
                target = std::move(*t);
            } else {
                auto index = body.number("child index");
                if (!index) return index.error();
                if (*index != 0 || node->degree() != 1) return body.corrupt("a root holds exactly one child");
            }
            auto files = body.number("file count");
            if (!files) return files.error();
            auto bytes = body.number("byte count");
            if (!bytes) return bytes.error();
            if (auto f = body.finish(); !f) return f;
            progress_.total_files = *files;
            progress_.total_bytes = *bytes;
            report();
            if (meta->type == EntryType::symlink) {
                if (*files != 0 || *bytes != 0) return body.corrupt("a symlink root announces files");
                return restore_symlink(dir, name, target, *meta, path);
            }
            auto child = r_->read(node->child(0));
            if (!child) return child.error();
            if (auto r = restore_entry(*child, dir, name, *meta, path); !r) return r;
            if (progress_.files != *files || progress_.bytes != *bytes)
                return body.corrupt("the root announces " + std::to_string(*files) + " files and " +
                                    std::to_string(*bytes) + " bytes; the tree holds " + std::to_string(progress_.files) +
                                    " and " + std::to_string(progress_.bytes));
            return {};
        }
        case NodeKind::file: return restore_file(*node, dir, name, Metadata{.has_mtime = false}, path);
        case NodeKind::entries:
        case NodeKind::pages:
        case NodeKind::directory_0_1:
            return restore_directory(*node, dir, name, Metadata{.type = EntryType::directory, .mode = 0755, .has_mtime = false},
                                     path);
        default: return fail(errc::object_corrupt, "dag: root is neither a file nor a directory");
        }
    }

    result<void> restore_entry(const Node& child, int dir, const std::string& name, const Metadata& meta,
                               const std::string& path) {
        if (meta.type == EntryType::file) return restore_file(child, dir, name, meta, path);
        return restore_directory(child, dir, name, meta, path);
    }

    static result<std::string> read_target(detail::BodyReader& body) {
        auto len = body.number("symlink target length");
        if (!len) return len.error();
        auto raw = body.bytes(*len, "symlink target");
        if (!raw) return raw.error();
        std::string t(as_chars(*raw));
        if (auto c = detail::check_symlink_target(t); !c) return c.error();
        return t;
    }

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
            if (auto c = check_cancelled(); !c) return c.error();
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
                got = cb.size() - 1;
                if (got > *total - seen) return body.corrupt("children hold more data than the declared size");
                if (auto r = sink(cb.subspan(1)); !r) return r.error();
                progress_.bytes += got;
                report();
            } else if (cb[0] == static_cast<Byte>(NodeKind::chunk_list)) {
                auto sub = read_list(*child, NodeKind::chunk_list, sink);
                if (!sub) return sub.error();
                got = *sub;
                if (got > *total - seen) return body.corrupt("children hold more data than the declared size");
            } else {
                return body.corrupt("a file may only hold chunks and chunk lists");
            }
            seen += got;
        }
        if (seen != *total)
            return body.corrupt("children hold " + std::to_string(seen) + " bytes, " + std::to_string(*total) + " declared");
        if (auto f = body.finish(); !f) return f.error();
        return *total;
    }

    static result<void> set_times(int dir, const char* name, int fd, const Metadata& meta, const std::string& path) {
        if (!meta.has_mtime) return {};
        const timespec times[2] = {{0, UTIME_OMIT},
                                   {static_cast<time_t>(meta.mtime_seconds), static_cast<long>(meta.mtime_nanoseconds)}};
        const int r = fd >= 0 ? ::futimens(fd, times) : ::utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW);
        if (r != 0) return detail::os_error("cannot set the time of", path);
        return {};
    }

    /** Writes a file: created 0600 (O_EXCL, O_NOFOLLOW), data written with runs of zero blocks
        left as holes, truncated to its size, then given its mode and time. */
    result<void> restore_file(const Node& node, int dir, const std::string& name, const Metadata& meta,
                              const std::string& path) {
        if (auto c = check_cancelled(); !c) return c;
        io::posix::Fd fd(::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) return detail::os_error("cannot create", path);
        constexpr std::size_t block = 4096;
        std::uint64_t offset = 0;
        auto sink = [&](ByteView chunk) -> result<void> {
            // Whole zero blocks (aligned in the file) are skipped; the rest goes out in runs.
            std::size_t run = 0, i = 0;
            auto write_run = [&](std::size_t end) -> result<void> {
                if (end > run) {
                    ByteView part = chunk.subspan(run, end - run);
                    std::uint64_t at = offset + run;
                    while (!part.empty()) {
                        const ssize_t n = ::pwrite(fd.get(), part.data(), part.size(), static_cast<off_t>(at));
                        if (n < 0) {
                            if (errno == EINTR) continue;
                            return detail::os_error("cannot write", path);
                        }
                        part = part.subspan(static_cast<std::size_t>(n));
                        at += static_cast<std::uint64_t>(n);
                    }
                }
                return {};
            };
            while (i < chunk.size()) {
                const std::size_t end = std::min(chunk.size(), i + (block - (offset + i) % block));
                if (end - i == block && detail::all_zero(chunk.subspan(i, block))) {
                    if (auto r = write_run(i); !r) return r;
                    run = end;
                }
                i = end;
            }
            if (auto r = write_run(chunk.size()); !r) return r;
            offset += chunk.size();
            return {};
        };
        auto r = read_list(node, NodeKind::file, sink);
        if (!r) return std::move(r.error()).context("restoring " + path);
        if (::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0) return detail::os_error("cannot write", path);
        if (::fchmod(fd.get(), meta.mode) != 0)
            return detail::os_error("cannot set the mode of", path);
        if (auto t = set_times(dir, name.c_str(), fd.get(), meta, path); !t) return t;
        if (fd.close() != 0) return detail::os_error("cannot write", path);
        ++progress_.files;
        report();
        return {};
    }

    result<void> restore_symlink(int dir, const std::string& name, const std::string& target, const Metadata& meta,
                                 const std::string& path) {
        if (::symlinkat(target.c_str(), dir, name.c_str()) != 0) return detail::os_error("cannot create symlink", path);
        return set_times(dir, name.c_str(), -1, meta, path);
    }

    /// Creates a directory (0700 while it is filled), restores its listing, then gives it its
    /// mode and time.
    result<void> restore_directory(const Node& node, int parent, const std::string& name, const Metadata& meta,
                                   const std::string& path) {
        if (::mkdirat(parent, name.c_str(), 0700) != 0) return detail::os_error("cannot create directory", path);
        io::posix::Fd dir(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dir) return detail::os_error("cannot open directory", path);
        Listing listing;
        if (auto r = restore_listing(node, dir.get(), path, listing, 0); !r) return r;
        if (::fchmod(dir.get(), meta.mode) != 0) return detail::os_error("cannot set the mode of", path);
        return set_times(parent, name.c_str(), dir.get(), meta, path);
    }

    /// The entries of one directory seen so far, across its pages.
    struct Listing {
        std::string previous;
        std::uint64_t count = 0;
    };

    /// One entry of a listing as `walk_listing` hands it out.
    struct Entry {
        const std::string& name;
        const std::string& path;   ///< the path it is restored to, for messages
        const Metadata& meta;
        const std::string* target; ///< symlinks
        const Node* node;          ///< files and directories: the listing node, and
        std::size_t child;         ///< the index of the entry's child in it
    };

    /** Reads the entries of a listing (an `'E'` node, `'P'` pages of them, or a 0.1 `'D'`
        node) in order, checking names, order and counts, and calls `visit(entry)` for each;
        `visit` returns false to stop. */
    template <class Visit>
    result<bool> walk_listing(const Node& node, const std::string& path, Listing& listing, std::size_t level,
                              Visit& visit) {
        detail::BodyReader body(node.body(), "dag: " + node.reference().to_string());
        auto kind = body.byte("kind");
        if (!kind) return kind.error();
        if (*kind == static_cast<Byte>(NodeKind::pages)) {
            auto entries = body.number("entry count");
            if (!entries) return entries.error();
            auto count = body.number("page count");
            if (!count) return count.error();
            if (*count == 0 || *count > body.rest().size()) return body.corrupt("bad page count");
            const std::uint64_t before = listing.count;
            for (std::uint64_t i = 0; i < *count; ++i) {
                auto index = body.number("page index");
                if (!index) return index.error();
                if (*index >= node.degree()) return body.corrupt("page index out of range");
                auto page = r_->read(node.child(static_cast<std::size_t>(*index)));
                if (!page) return page.error();
                const ByteView pb = page->body();
                if (pb.empty() || (pb[0] != static_cast<Byte>(NodeKind::entries) &&
                                   pb[0] != static_cast<Byte>(NodeKind::pages)))
                    return body.corrupt("a page must be an entries or pages node");
                auto more = walk_listing(*page, path, listing, level + 1, visit);
                if (!more || !*more) return more;
            }
            if (listing.count - before != *entries)
                return body.corrupt("pages hold " + std::to_string(listing.count - before) + " entries, " +
                                    std::to_string(*entries) + " declared");
            if (auto f = body.finish(); !f) return f.error();
            return true;
        }
        const bool legacy = *kind == static_cast<Byte>(NodeKind::directory_0_1);
        if (!legacy && *kind != static_cast<Byte>(NodeKind::entries)) return body.corrupt("expected a directory node");
        if (legacy && level > 0) return body.corrupt("a page of the 0.1 format");
        auto count = body.number("entry count");
        if (!count) return count.error();
        if (*count > body.rest().size() / 4) return body.corrupt("more entries than the node can hold");
        for (std::uint64_t i = 0; i < *count; ++i) {
            if (auto c = check_cancelled(); !c) return c.error();
            auto len = body.number("name length");
            if (!len) return len.error();
            auto raw = body.bytes(*len, "name");
            if (!raw) return raw.error();
            const std::string name(as_chars(*raw));
            if (auto c = detail::check_name(name); !c) return std::move(c.error()).context("dag: restoring " + path);
            if (listing.count > 0 && !(listing.previous < name))
                return body.corrupt("entries of " + path + " are not strictly sorted");
            listing.previous = name;
            ++listing.count;
            const std::string entry_path = detail::join(path, name);
            auto meta = legacy ? read_legacy_metadata(body) : detail::read_metadata(body);
            if (!meta) return meta.error();
            std::string target;
            std::size_t child = 0;
            if (meta->type == EntryType::symlink) {
                auto t = read_target(body);
                if (!t) return std::move(t.error()).context("dag: restoring " + entry_path);
                target = std::move(*t);
            } else {
                auto index = body.number("child index");
                if (!index) return index.error();
                if (*index >= node.degree()) return body.corrupt("child index out of range");
                child = static_cast<std::size_t>(*index);
            }
            auto more = visit(Entry{name, entry_path, *meta, meta->type == EntryType::symlink ? &target : nullptr,
                                    &node, child});
            if (!more || !*more) return more;
        }
        if (auto f = body.finish(); !f) return f.error();
        return true;
    }

    /// Restores an entry into the open directory `dir`.
    result<void> restore_one(const Entry& e, int dir) {
        if (e.target) {
            if (auto r = restore_symlink(dir, e.name, *e.target, e.meta, e.path); !r) return r;
        } else {
            const Link link = e.node->child(e.child);
            // Empty files (file nodes without children) repeat in a tree: the last one is kept
            // rather than read again.
            if (!(leaf_ && leaf_->reference() == link.reference)) {
                auto child = r_->read(link);
                if (!child) return std::move(child.error()).context("restoring " + e.path);
                if (child->degree() != 0 || e.meta.type != EntryType::file) {
                    if (auto r = restore_entry(*child, dir, e.name, e.meta, e.path); !r) return r;
                    if (options_.restored) options_.restored(e.path);
                    return {};
                }
                leaf_.emplace(std::move(*child));
            }
            if (auto r = restore_entry(*leaf_, dir, e.name, e.meta, e.path); !r) return r;
        }
        if (options_.restored) options_.restored(e.path);
        return {};
    }

    result<void> restore_listing(const Node& node, int dir, const std::string& path, Listing& listing,
                                 std::size_t level) {
        auto visit = [&](const Entry& e) -> result<bool> {
            if (auto r = restore_one(e, dir); !r) return r.error();
            return true;
        };
        auto r = walk_listing(node, path, listing, level, visit);
        if (!r) return r.error();
        return {};
    }

    /// 0.1 entries: type, then flags (bit 0: executable, files only); no mode or time.
    static result<Metadata> read_legacy_metadata(detail::BodyReader& body) {
        auto type = body.byte("entry type");
        if (!type) return type.error();
        auto flags = body.byte("entry flags");
        if (!flags) return flags.error();
        if (*type > static_cast<Byte>(EntryType::symlink)) return body.corrupt("unknown entry type " + std::to_string(*type));
        if (*flags > 1 || (*flags == 1 && *type != static_cast<Byte>(EntryType::file)))
            return body.corrupt("unknown flags on an entry");
        const auto t = static_cast<EntryType>(*type);
        return Metadata{.type = t,
                        .mode = t == EntryType::directory || *flags == 1 ? 0755u : 0644u,
                        .has_mtime = false};
    }

    const Reader<Codec, Store>* r_;
    RestoreOptions options_;
    TreeProgress progress_;
    std::optional<Node> leaf_;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_TREE_HPP
