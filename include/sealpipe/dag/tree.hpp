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
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
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
    /** Threads that read, compress and encrypt files in `put_path`: the caller's and
        `threads - 1` of the `TreeWriter`'s own, each with a codec of its own from the
        `TreeWriter`'s `make_codec` (without it, `put_path` fails with
        `errc::invalid_argument`). 1 does everything on the caller's thread. The root and
        every reference are the same whatever the number; the callbacks above are called one
        at a time, from any of the threads (`stored` still names a directory after everything
        in it, but files of a directory may come after entries of its subdirectories). */
    unsigned threads = 1;
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
    /** Threads that fetch, decrypt, decompress and write files: the caller's (which walks the
        listings and creates the directories) and `threads - 1` of the `TreeReader`'s own, each
        with a codec of its own from the `TreeReader`'s `make_codec` (without it, `restore`
        fails with `errc::invalid_argument`). 1 does everything on the caller's thread. The
        callbacks are called one at a time, from any of the threads. */
    unsigned threads = 1;
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

/** Tasks for a fixed set of threads, each with a context of its own (its codec and writer or
    reader). The queue holds at most `capacity` tasks: a caller that finds it full runs the
    oldest task itself, as it does while it waits for a result, so the caller's thread is never
    idle while there is work. Without threads, `submit` runs the task at once. */
template <class Context>
class Pool {
public:
    using Task = std::function<void(Context&)>;

    /// One thread per context; `capacity` tasks queued at most.
    Pool(std::vector<std::unique_ptr<Context>> contexts, std::size_t capacity)
        : contexts_(std::move(contexts)), capacity_(std::max<std::size_t>(capacity, 1)) {
        threads_.reserve(contexts_.size());
        for (auto& c : contexts_) threads_.emplace_back([this, ctx = c.get()] { work(*ctx); });
    }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    /// Drops the tasks still queued and waits for those running.
    ~Pool() {
        {
            std::lock_guard lock(m_);
            stop_ = true;
            queue_.clear();
        }
        work_.notify_all();
        for (auto& t : threads_) t.join();
    }

    /// Queues `task`, or runs it on the caller's thread (with `caller`'s context) when there are
    /// no threads; runs queued tasks here while the queue is full.
    void submit(Task task, Context& caller) {
        if (threads_.empty()) {
            task(caller);
            return;
        }
        std::unique_lock lock(m_);
        while (queue_.size() >= capacity_) run_one(lock, caller);
        queue_.push_back(std::move(task));
        work_.notify_one();
    }

    /// Runs queued tasks here, or waits for a running one to end, until `ready()` (evaluated
    /// with the pool's lock held, after each task).
    template <class Ready>
    void wait_until(Ready ready, Context& caller) {
        std::unique_lock lock(m_);
        while (!ready()) {
            if (!queue_.empty()) run_one(lock, caller);
            else done_.wait(lock);
        }
    }
    /// Waits until no task is queued or running.
    void wait_all(Context& caller) {
        wait_until([this] { return queue_.empty() && running_ == 0; }, caller);
    }

private:
    void run_one(std::unique_lock<std::mutex>& lock, Context& ctx) {
        Task task = std::move(queue_.front());
        queue_.pop_front();
        ++running_;
        lock.unlock();
        task(ctx);
        task = nullptr;
        lock.lock();
        --running_;
        done_.notify_all();
    }
    void work(Context& ctx) {
        std::unique_lock lock(m_);
        for (;;) {
            work_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            run_one(lock, ctx);
        }
    }

    std::vector<std::unique_ptr<Context>> contexts_;
    std::size_t capacity_;
    std::mutex m_;
    std::condition_variable work_, done_;
    std::deque<Task> queue_;
    std::size_t running_ = 0;
    bool stop_ = false;
    std::vector<std::thread> threads_;
};

/// A store shared by several threads: every call under one lock.
template <class Store>
class LockedStore {
public:
    LockedStore(Store& store, std::mutex& m) : s_(&store), m_(&m) {}
    [[nodiscard]] result<void> put(const object::Reference& ref, ByteView data) {
        std::lock_guard lock(*m_);
        return s_->put(ref, data);
    }
    [[nodiscard]] result<Bytes> get(const object::Reference& ref) {
        std::lock_guard lock(*m_);
        return s_->get(ref);
    }

private:
    Store* s_;
    std::mutex* m_;
};

/// A codec for another thread, from `make` (codecs are not shared between threads).
template <class Codec>
result<std::unique_ptr<Codec>> another_codec(const std::function<result<Codec>()>& make) {
    if (!make)
        return fail(errc::invalid_argument, "dag: more than one thread needs a codec for each: give the tree "
                                            "writer or reader a make_codec function");
    auto c = make();
    if (!c) return c.error();
    return std::make_unique<Codec>(std::move(*c));
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
    length nor a swap of a file for a symlink or a FIFO matters.

    With `TreeOptions::threads` above 1, files are read and encoded on that many threads while
    the caller's thread walks the tree (and joins in whenever it would wait); each thread has a
    codec of its own from `make_codec`, and they all put into the writer's store, one put at a time. A node is put only
    after its children, as with one thread. */
template <class Codec, class Store>
class TreeWriter {
public:
    /// Makes a codec for another thread (the same chain and key as the writer's).
    using CodecFactory = std::function<result<Codec>()>;

    TreeWriter(Writer<Codec, Store>& writer, TreeOptions options = {}, std::type_identity_t<CodecFactory> make_codec = {})
        : w_(&writer), options_(std::move(options)), make_codec_(std::move(make_codec)) {}

    /** Stores a byte string as a file DAG and returns the link to its `file` node. */
    [[nodiscard]] result<Link> put_bytes(ByteView data) {
        empty_file_.reset();
        Context c(*w_);
        FileBuilder b(*this, c);
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
        Context c(*w_);
        auto read = read_file(c, fd.get(), st, p);
        if (!read) return read.error();
        if (!*read) return fail(errc::io_error, p + " was left out");
        if (auto r = w_->commit(); !r) return r.error();
        return std::move((*read)->link);
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

        // The caller's context, and one per thread of the pool; writes go through the store's
        // lock when there is more than one thread.
        const unsigned threads = std::max(1u, options_.threads);
        std::unique_ptr<Context> caller;
        std::vector<std::unique_ptr<Context>> others;
        if (threads == 1) {
            caller = std::make_unique<Context>(*w_);
        } else {
            caller = std::make_unique<Context>(nullptr, w_->codec(), w_->store(), sync_->store);
            for (unsigned i = 1; i < threads; ++i) {
                auto codec = detail::another_codec(make_codec_);
                if (!codec) return codec.error();
                others.push_back(std::make_unique<Context>(std::move(*codec), w_->codec(), w_->store(), sync_->store));
            }
        }
        // At most two files queued per thread: each holds an open descriptor, nothing more.
        detail::Pool<Context> pool(std::move(others), 2 * std::size_t{threads});
        sync_->stop = false;
        pool_ = &pool;
        caller_ = caller.get();
        struct Detach {   // before the pool goes: what is still running stops early
            TreeWriter* t;
            ~Detach() {
                t->sync_->stop = true;
                t->pool_ = nullptr;
                t->caller_ = nullptr;
            }
        } detach{this};

        auto pending = put_entry(*caller, AT_FDCWD, given, display, 0, true);
        if (!pending) return pending.error();
        if (!*pending) return fail(errc::io_error, display + " was left out");
        auto entry = settle(std::move(**pending));
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
        auto root = caller->write(children.links(), body);
        if (!root) return std::move(root.error()).context(display);
        pool.wait_all(*caller);   // nothing is left; the store is then the caller's alone
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
    /// A file read into a file DAG: its node, and the state it was read in.
    struct FileRead {
        Link link;
        struct stat stat;
    };
    /// A file being read on a thread of the pool.
    struct FileSlot {
        std::atomic<bool> done{false};
        std::optional<result<std::optional<FileRead>>> read;
    };
    /// An entry of a listing: stored, or a file whose slot will tell.
    struct Pending {
        std::string path;
        std::optional<Stored> stored;
        std::shared_ptr<FileSlot> slot;
    };

    /** What a thread writes nodes with: the writer itself (one thread), or a writer of its own
        over the store's lock, with a codec of its own (other threads) or the writer's (the
        caller's thread); and the buffer it reads files into. */
    class Context {
    public:
        explicit Context(Writer<Codec, Store>& direct) : direct_(&direct) {}
        Context(std::unique_ptr<Codec> own, Codec& shared, Store& store, std::mutex& store_lock)
            : own_(std::move(own)), locked_(std::in_place, store, store_lock) {
            locked_writer_.emplace(own_ ? *own_ : shared, *locked_);
        }
        Context(const Context&) = delete;
        Context& operator=(const Context&) = delete;

        result<Link> write(std::span<const Link> children, ByteView body) {
            return direct_ ? direct_->write(children, body) : locked_writer_->write(children, body);
        }
        /// The buffer a file is read into, kept from one file to the next.
        Bytes chunk;

    private:
        Writer<Codec, Store>* direct_ = nullptr;
        std::unique_ptr<Codec> own_;
        std::optional<detail::LockedStore<Store>> locked_;
        std::optional<Writer<Codec, detail::LockedStore<Store>>> locked_writer_;
    };
    /// What the threads share besides the store: a lock for the progress, the callbacks and
    /// the empty file; one for the store; and whether the put has stopped.
    struct Sync {
        std::mutex state;
        std::mutex store;
        std::atomic<bool> stop{false};
    };

    void report() {
        if (options_.progress) options_.progress(progress_);
    }
    /// Counts bytes stored, from any thread.
    void add_bytes(std::uint64_t n) {
        std::lock_guard lock(sync_->state);
        progress_.bytes += n;
        report();
    }
    /// Counts a file stored, from any thread.
    void add_file() {
        std::lock_guard lock(sync_->state);
        ++progress_.files;
        report();
    }

    /// A failure of the tree being read (not of the store): offered to `options_.skip`.
    template <class T>
    result<std::optional<T>> source_failure(const std::string& path, Error e) {
        std::lock_guard lock(sync_->state);
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
        if (!root && options_.filter) {
            std::lock_guard lock(sync_->state);   // one callback at a time: `skip` may run on a thread of the pool
            if (!options_.filter(EntryInfo{path, name, st})) return std::nullopt;
        }
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

    /** Stores an entry, on the caller's thread; nullopt when it is left out. A regular file
        below the root goes to the pool: its `Pending` then has a slot, which `settle` waits for. */
    result<std::optional<Pending>> put_entry(Context& c, int dir, const std::string& name, const std::string& path,
                                             std::size_t depth, bool root) {
        auto st = stat_entry(dir, name, path, root, true);
        if (!st) return st.error();
        if (!*st) return std::optional<Pending>();
        const struct stat& s = **st;
        if (!root && S_ISREG(s.st_mode)) {
            auto fd = open_entry(dir, name, path, s, true);
            if (!fd) return fd.error();
            if (!*fd) return std::optional<Pending>();
            auto slot = std::make_shared<FileSlot>();
            auto file = std::make_shared<io::posix::Fd>(std::move(**fd));
            pool_->submit(
                [this, slot, file, s, path](Context& ctx) {
                    try {
                        slot->read.emplace(read_file(ctx, file->get(), s, path));
                    } catch (const std::exception& e) {
                        slot->read.emplace(fail(errc::internal, path + ": " + e.what()));
                    }
                    file->reset();
                    if (*slot->read && **slot->read) add_file();
                    slot->done.store(true, std::memory_order_release);
                },
                c);
            return std::optional<Pending>(Pending{path, std::nullopt, std::move(slot)});
        }
        auto e = store_entry(c, dir, name, path, depth, s);
        if (!e) return e.error();
        if (!*e) return std::optional<Pending>();
        return std::optional<Pending>(Pending{path, std::move(**e), nullptr});
    }

    /// Waits for a pending entry (running queued tasks meanwhile) and calls `stored` for it.
    result<std::optional<Stored>> settle(Pending p) {
        if (p.slot) {
            FileSlot& slot = *p.slot;
            pool_->wait_until([&slot] { return slot.done.load(std::memory_order_acquire); }, *caller_);
            auto read = std::move(*slot.read);
            if (!read) return read.error();
            if (!*read) return std::optional<Stored>();
            const struct stat& st = (*read)->stat;
            Stored out;
            // The mode and time the file had while it was read, unchanged.
            out.meta = detail::metadata_of(st, EntryType::file);
            out.link = std::move((*read)->link);
            out.files = 1;
            out.bytes = static_cast<std::uint64_t>(st.st_size);
            p.stored = std::move(out);
        }
        if (p.stored && options_.stored) {
            std::lock_guard lock(sync_->state);
            options_.stored(p.path);
        }
        return std::move(p.stored);
    }

    result<std::optional<Stored>> store_entry(Context& c, int dir, const std::string& name, const std::string& path,
                                              std::size_t depth, const struct stat& s) {
        Stored out;
        if (S_ISLNK(s.st_mode)) {
            out.meta = detail::metadata_of(s, EntryType::symlink);
            std::string target(detail::max_symlink_bytes + 1, '\0');
            const ssize_t n = ::readlinkat(dir, name.c_str(), target.data(), target.size());
            if (n < 0) return source_failure<Stored>(path, detail::os_error("cannot read symlink", path));
            target.resize(static_cast<std::size_t>(n));
            if (auto ok = detail::check_symlink_target(target); !ok)
                return source_failure<Stored>(path, std::move(ok.error()).context(path));
            out.target = std::move(target);
            return std::optional<Stored>(std::move(out));
        }
        if (!S_ISREG(s.st_mode) && !S_ISDIR(s.st_mode)) return source_failure<Stored>(path, unsupported(path, s));
        auto fd = open_entry(dir, name, path, s, true);
        if (!fd) return fd.error();
        if (!*fd) return std::optional<Stored>();
        if (S_ISDIR(s.st_mode)) {
            out.meta = detail::metadata_of(s, EntryType::directory);
            auto link = put_directory(c, (*fd)->get(), path, depth, out);
            if (!link) return link.error();
            if (!*link) return std::optional<Stored>();
            out.link = std::move(**link);
            return std::optional<Stored>(std::move(out));
        }
        auto read = read_file(c, (*fd)->get(), s, path);
        if (!read) return read.error();
        if (!*read) return std::optional<Stored>();
        // The mode and time the file had while it was read, unchanged.
        out.meta = detail::metadata_of((*read)->stat, EntryType::file);
        out.link = std::move((*read)->link);
        out.files = 1;
        out.bytes = static_cast<std::uint64_t>((*read)->stat.st_size);
        add_file();
        return std::optional<Stored>(std::move(out));
    }

    /** Reads an open regular file into a file DAG: the size `fstat` gave before, then one byte
        more to see that it did not grow. Its size, mtime and ctime are compared before and
        after: a file that changed is read again, up to `retries` times, and then counts as
        unreadable. Runs on any thread, with that thread's context. */
    result<std::optional<FileRead>> read_file(Context& c, int fd, struct stat before, const std::string& path) {
        if (c.chunk.size() != options_.chunk_bytes) c.chunk.resize(options_.chunk_bytes);
        Bytes& chunk = c.chunk;
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
            FileBuilder b(*this, c);
            const auto size = static_cast<std::uint64_t>(before.st_size);
            std::uint64_t offset = 0;
            while (offset < size) {
                if (sync_->stop.load(std::memory_order_relaxed)) return fail(errc::cancelled, "dag: the put stopped");
                const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - offset));
                auto filled = read_at(chunk.data(), want, offset);
                if (!filled) return source_failure<FileRead>(path, std::move(filled.error()));
                if (*filled == 0) break;   // shorter than it was
                if (auto r = b.add_chunk(ByteView(chunk).first(*filled)); !r) return std::move(r.error()).context(path);
                offset += *filled;
                if (*filled < want) break;
            }
            Byte extra = 0;
            auto beyond = read_at(&extra, 1, offset);
            if (!beyond) return source_failure<FileRead>(path, std::move(beyond.error()));
            struct stat after {};
            if (::fstat(fd, &after) != 0) return source_failure<FileRead>(path, detail::os_error("cannot stat", path));
            const bool same = *beyond == 0 && offset == size && after.st_size == before.st_size &&
                              after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                              after.st_mtim.tv_nsec == before.st_mtim.tv_nsec &&
                              after.st_ctim.tv_sec == before.st_ctim.tv_sec &&
                              after.st_ctim.tv_nsec == before.st_ctim.tv_nsec;
            if (same) {
                auto link = b.finish();
                if (!link) return std::move(link.error()).context(path);
                return std::optional<FileRead>(FileRead{std::move(*link), after});
            }
            if (attempt >= options_.retries)
                return source_failure<FileRead>(
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
        FileBuilder(TreeWriter& t, Context& c)
            : t_(&t), c_(&c), levels_(t.options_.fan_out, [&t, &c](const std::vector<Item>& items) -> result<Item> {
                  std::uint64_t size = 0;
                  for (const auto& i : items) size += i.size;
                  auto link = t.write_list(c, NodeKind::chunk_list, items, size);
                  if (!link) return link.error();
                  return Item{std::move(*link), size};
              }) {}

        result<void> add_chunk(ByteView data) {
            Bytes body;
            body.reserve(1 + data.size());
            body.push_back(static_cast<Byte>(NodeKind::chunk));
            append(body, data);
            auto link = c_->write({}, body);
            if (!link) return link.error();
            total_ += data.size();
            t_->add_bytes(data.size());
            return levels_.push({std::move(*link), data.size()});
        }

        result<Link> finish() {
            auto top = levels_.finish();
            if (!top) return top.error();
            if (total_ != 0) return t_->write_list(*c_, NodeKind::file, *top, total_);
            // Empty files are many and all alike: one is stored per put.
            std::lock_guard lock(t_->sync_->state);
            if (t_->empty_file_) return *t_->empty_file_;
            auto link = t_->write_list(*c_, NodeKind::file, *top, total_);
            if (link) t_->empty_file_ = *link;
            return link;
        }

    private:
        struct Item {
            Link link;
            std::uint64_t size;
        };
        using Write = std::function<result<Item>(const std::vector<Item>&)>;

        TreeWriter* t_;
        Context* c_;
        detail::Levels<Item, Write> levels_;
        std::uint64_t total_ = 0;
    };

    template <class Items>
    result<Link> write_list(Context& c, NodeKind kind, const Items& items, std::uint64_t total) {
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
        return c.write(children.links(), body);
    }

    /** Stores a directory's listing: one `entries` node when it fits in `page_bytes`, else
        pages of entries under `pages` nodes (doc/dag.md). Only one page of entries is held,
        besides the entries whose files are still being read on other threads. */
    result<std::optional<Link>> put_directory(Context& c, int fd, const std::string& path, std::size_t depth,
                                              Stored& totals) {
        auto names = detail::list_names(fd, path);
        if (!names) return source_failure<Link>(path, std::move(names.error()));
        struct Page {
            Link link;
            std::uint64_t entries;
        };
        using Write = std::function<result<Page>(const std::vector<Page>&)>;
        detail::Levels<Page, Write> levels(detail::pages_fan_out(options_.page_bytes, w_->parameters_size()),
                                           [&](const std::vector<Page>& pages) -> result<Page> {
                                               return write_pages(c, pages, path);
                                           });
        detail::Pager pager{options_.page_bytes};
        std::vector<std::pair<std::string, Stored>> page;
        std::size_t pages = 0;
        // Entries in name order, from the first one not yet on a page; files in it may still
        // be read on other threads.
        std::deque<std::pair<std::string, Pending>> waiting;
        auto take = [&](bool wait) -> result<void> {
            while (!waiting.empty()) {
                auto& [name, p] = waiting.front();
                if (!wait && p.slot && !p.slot->done.load(std::memory_order_acquire)) return {};
                auto child = settle(std::move(p));
                if (!child) return child.error();
                if (*child) {
                    const std::size_t cost = detail::entry_cost(name.size(), (*child)->meta, (*child)->target.size(),
                                                                w_->parameters_size());
                    if (pager.starts_page(cost)) {
                        auto link = write_entries(c, page, path);
                        if (!link) return link.error();
                        if (auto r = levels.push(Page{std::move(*link), page.size()}); !r) return r.error();
                        ++pages;
                        page.clear();
                        pager.reset();
                    }
                    pager.add(cost);
                    totals.files += (*child)->files;
                    totals.bytes += (*child)->bytes;
                    page.emplace_back(std::move(name), std::move(**child));
                }
                waiting.pop_front();
            }
            return {};
        };
        for (auto& n : *names) {
            auto child = put_entry(c, fd, n, detail::join(path, n), depth + 1, false);
            if (!child) return child.error();
            if (!*child) continue;
            waiting.emplace_back(std::move(n), std::move(**child));
            if (auto r = take(false); !r) return r.error();
        }
        if (auto r = take(true); !r) return r.error();
        auto link = write_entries(c, page, path);
        if (!link) return link.error();
        if (pages == 0) return std::optional<Link>(std::move(*link));   // the listing fits in one node
        if (auto r = levels.push(Page{std::move(*link), page.size()}); !r) return r.error();
        auto top = levels.finish();
        if (!top) return top.error();
        if (top->size() == 1 && levels.grew()) return std::optional<Link>(std::move(top->front().link));
        auto list = write_pages(c, *top, path);
        if (!list) return list.error();
        return std::optional<Link>(std::move(list->link));
    }

    result<Link> write_entries(Context& c, const std::vector<std::pair<std::string, Stored>>& entries,
                               const std::string& path) {
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
        auto link = c.write(children.links(), body);
        if (!link) return std::move(link.error()).context("directory " + path);
        return link;
    }

    template <class Page>
    result<Page> write_pages(Context& c, const std::vector<Page>& pages, const std::string& path) {
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
        auto link = c.write(children.links(), body);
        if (!link) return std::move(link.error()).context("directory " + path);
        return Page{std::move(*link), entries};
    }

    Writer<Codec, Store>* w_;
    TreeOptions options_;
    CodecFactory make_codec_;
    TreeProgress progress_;
    std::optional<Link> empty_file_;
    std::unique_ptr<Sync> sync_ = std::make_unique<Sync>();
    detail::Pool<Context>* pool_ = nullptr;   // during put_path
    Context* caller_ = nullptr;
};

/** Restores file and directory DAGs. Every object is validated against its reference before
    it is decoded; sizes are checked against what the nodes declare; names are checked before
    anything is created, and nothing is ever written through a symlink.

    With `RestoreOptions::threads` above 1, `restore` writes files on that many threads while
    the caller's thread walks the listings and creates the directories (and joins in whenever
    it would wait); each thread reads through a `Reader` of its own, with a codec from
    `make_codec`, from the reader's store, which must then be
    usable from several threads (every sealpipe store is). A directory gets its mode and time
    once everything in it is written. */
template <class Codec, class Store>
class TreeReader {
public:
    /// Makes a codec for another thread (the same chain and key as the reader's).
    using CodecFactory = std::function<result<Codec>()>;

    TreeReader(const Reader<Codec, Store>& reader, RestoreOptions options = {}, std::type_identity_t<CodecFactory> make_codec = {})
        : r_(&reader), options_(std::move(options)), make_codec_(std::move(make_codec)) {}

    /// Reads a whole file DAG into memory (for small files and tests; `limit` bounds it).
    [[nodiscard]] result<Bytes> get_bytes(const Link& file, std::size_t limit) {
        progress_ = {};
        sync_->failed = false;
        sync_->error.reset();
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
        if (auto r = read_list(*r_, *node, NodeKind::file, sink); !r) return r.error();
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
        return into(root, out, [&](ReadContext& c, int dir, const std::string& temporary, const std::string& target) {
            return restore_root(c, root, dir, temporary, target);
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
        return into(root, out, [&](ReadContext& c, int dir, const std::string& temporary, const std::string& target) {
            return restore_inside(c, root, names, dir, temporary, target);
        });
    }

private:
    /// What a thread reads with: the reader itself (the caller's thread), or a reader of its
    /// own with a codec of its own; and the last empty file's node it read.
    class ReadContext {
    public:
        explicit ReadContext(const Reader<Codec, Store>& shared) : reader_(&shared) {}
        ReadContext(std::unique_ptr<Codec> own, const Reader<Codec, Store>& like) : own_(std::move(own)) {
            mine_.emplace(*own_, like.store(), like.options());
            reader_ = &*mine_;
        }
        ReadContext(const ReadContext&) = delete;
        ReadContext& operator=(const ReadContext&) = delete;
        const Reader<Codec, Store>& reader() const noexcept { return *reader_; }
        /// Empty files (file nodes without children) repeat in a tree: the last one is kept
        /// rather than read again.
        std::optional<Node> leaf;

    private:
        std::unique_ptr<Codec> own_;
        std::optional<Reader<Codec, Store>> mine_;
        const Reader<Codec, Store>* reader_;
    };

    /** A directory being restored: open until everything in it is written, then given its mode
        and time (by whichever thread finishes last), which completes its parent in turn. */
    struct DirState {
        io::posix::Fd fd;
        Metadata meta;
        std::string path;
        bool report = true;   ///< call `restored` once complete (not for what `into` publishes)
        std::shared_ptr<DirState> parent;
        std::size_t pending = 1;   ///< under the state lock: the walk of its listing, files and subdirectories
    };

    /// What the threads share: a lock for the progress, the callbacks and the directories'
    /// counts; the first error of a file written on a thread of the pool.
    struct Sync {
        std::mutex state;
        std::atomic<bool> failed{false};
        std::optional<Error> error;
    };

    void record(Error e) {
        std::lock_guard lock(sync_->state);
        if (!sync_->error) sync_->error = std::move(e);
        sync_->failed = true;
    }
    /// The first error recorded by a thread of the pool.
    result<void> recorded() {
        std::lock_guard lock(sync_->state);
        if (sync_->error) return *sync_->error;
        return {};
    }
    /// Waits for every file queued or being written; the first error among them.
    result<void> drain() {
        pool_->wait_all(*caller_);
        return recorded();
    }
    void restored(const std::string& path) {
        if (!options_.restored) return;
        std::lock_guard lock(sync_->state);
        options_.restored(path);
    }

    /// One thing `dir` waited for is done; completes it (and so on upwards) when it was the last.
    result<void> release(std::shared_ptr<DirState> dir) {
        while (dir) {
            {
                std::lock_guard lock(sync_->state);
                if (--dir->pending != 0) return {};
            }
            if (::fchmod(dir->fd.get(), dir->meta.mode) != 0) return detail::os_error("cannot set the mode of", dir->path);
            if (auto t = set_times(-1, "", dir->fd.get(), dir->meta, dir->path); !t) return t;
            dir->fd.reset();
            if (dir->report) restored(dir->path);
            auto up = std::move(dir->parent);
            dir = std::move(up);
        }
        return {};
    }

    /** Runs `body(dir, temporary, target)`, which restores into `dir` under the name
        `temporary`, then renames that to `out` (never replacing anything); on failure,
        removes what `body` wrote. */
    template <class Body>
    result<void> into(const Link& root, const std::filesystem::path& out, Body&& body) {
        const unsigned threads = std::max(1u, options_.threads);
        auto caller = std::make_unique<ReadContext>(*r_);
        std::vector<std::unique_ptr<ReadContext>> others;
        for (unsigned i = 1; i < threads; ++i) {
            auto codec = detail::another_codec(make_codec_);
            if (!codec) return codec.error();
            others.push_back(std::make_unique<ReadContext>(std::move(*codec), *r_));
        }
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
        sync_->failed = false;
        sync_->error.reset();
        result<void> r;
        {
            // At most two files queued per thread, each a link and a name.
            detail::Pool<ReadContext> pool(std::move(others), 2 * std::size_t{threads});
            pool_ = &pool;
            caller_ = caller.get();
            r = body(*caller, dir.get(), temporary, target);
            if (r) r = drain();
            if (!r) sync_->failed = true;   // what still runs stops; the pool drops the rest
            pool_ = nullptr;
            caller_ = nullptr;
        }
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
    result<void> restore_inside(ReadContext& c, const Link& root, const std::vector<std::string>& names, int dir,
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
                    return restore_entry(c, *node, dir, temporary, found->meta, target, nullptr, false);
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

    result<void> check_cancelled() {
        if (sync_->failed.load(std::memory_order_relaxed)) {
            if (auto r = recorded(); !r) return r;
            return fail(errc::cancelled, "restore stopped");
        }
        if (!options_.cancelled) return {};
        std::lock_guard lock(sync_->state);
        if (options_.cancelled()) return fail(errc::cancelled, "restore interrupted");
        return {};
    }

    void report() {
        if (options_.progress) options_.progress(progress_);
    }
    /// Counts bytes or a file restored, from any thread.
    void add(std::uint64_t bytes, std::uint64_t files) {
        std::lock_guard lock(sync_->state);
        progress_.bytes += bytes;
        progress_.files += files;
        report();
    }

    result<void> restore_root(ReadContext& c, const Link& root, int dir, const std::string& name,
                              const std::string& path) {
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
            if (auto r = restore_entry(c, *child, dir, name, *meta, path, nullptr, false); !r) return r;
            if (auto r = drain(); !r) return r;
            if (progress_.files != *files || progress_.bytes != *bytes)
                return body.corrupt("the root announces " + std::to_string(*files) + " files and " +
                                    std::to_string(*bytes) + " bytes; the tree holds " + std::to_string(progress_.files) +
                                    " and " + std::to_string(progress_.bytes));
            return {};
        }
        case NodeKind::file: return restore_file(c, *node, dir, name, Metadata{.has_mtime = false}, path);
        case NodeKind::entries:
        case NodeKind::pages:
        case NodeKind::directory_0_1:
            return restore_directory(c, *node, dir, name,
                                     Metadata{.type = EntryType::directory, .mode = 0755, .has_mtime = false}, path,
                                     nullptr, false);
        default: return fail(errc::object_corrupt, "dag: root is neither a file nor a directory");
        }
    }

    /// Restores a file here, or a directory (whose files go to the pool) below `up`.
    result<void> restore_entry(ReadContext& c, const Node& child, int dir, const std::string& name, const Metadata& meta,
                               const std::string& path, std::shared_ptr<DirState> up, bool report) {
        if (meta.type == EntryType::file) return restore_file(c, child, dir, name, meta, path);
        return restore_directory(c, child, dir, name, meta, path, std::move(up), report);
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
    result<std::uint64_t> read_list(const Reader<Codec, Store>& reader, const Node& node, NodeKind expected, Sink& sink) {
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
            auto child = reader.read(node.child(static_cast<std::size_t>(*index)));
            if (!child) return child.error();
            const ByteView cb = child->body();
            if (cb.empty()) return body.corrupt("empty child");
            std::uint64_t got = 0;
            if (cb[0] == static_cast<Byte>(NodeKind::chunk)) {
                if (child->degree() != 0 || cb.size() < 2) return body.corrupt("malformed chunk");
                got = cb.size() - 1;
                if (got > *total - seen) return body.corrupt("children hold more data than the declared size");
                if (auto r = sink(cb.subspan(1)); !r) return r.error();
                add(got, 0);
            } else if (cb[0] == static_cast<Byte>(NodeKind::chunk_list)) {
                auto sub = read_list(reader, *child, NodeKind::chunk_list, sink);
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
    result<void> restore_file(ReadContext& c, const Node& node, int dir, const std::string& name, const Metadata& meta,
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
        auto r = read_list(c.reader(), node, NodeKind::file, sink);
        if (!r) return std::move(r.error()).context("restoring " + path);
        if (::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0) return detail::os_error("cannot write", path);
        if (::fchmod(fd.get(), meta.mode) != 0)
            return detail::os_error("cannot set the mode of", path);
        if (auto t = set_times(dir, name.c_str(), fd.get(), meta, path); !t) return t;
        if (fd.close() != 0) return detail::os_error("cannot write", path);
        add(0, 1);
        return {};
    }

    result<void> restore_symlink(int dir, const std::string& name, const std::string& target, const Metadata& meta,
                                 const std::string& path) {
        if (::symlinkat(target.c_str(), dir, name.c_str()) != 0) return detail::os_error("cannot create symlink", path);
        return set_times(dir, name.c_str(), -1, meta, path);
    }

    /** Creates a directory (0700 while it is filled) and restores its listing; it gets its mode
        and time once its files, written on threads of the pool, are (`release`). */
    result<void> restore_directory(ReadContext& c, const Node& node, int parent, const std::string& name,
                                   const Metadata& meta, const std::string& path, std::shared_ptr<DirState> up,
                                   bool report) {
        if (::mkdirat(parent, name.c_str(), 0700) != 0) return detail::os_error("cannot create directory", path);
        auto dir = std::make_shared<DirState>();
        dir->fd.reset(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!dir->fd) return detail::os_error("cannot open directory", path);
        dir->meta = meta;
        dir->path = path;
        dir->report = report;
        if (up) {
            std::lock_guard lock(sync_->state);
            ++up->pending;
        }
        dir->parent = std::move(up);
        Listing listing;
        if (auto r = restore_listing(c, node, dir, path, listing, 0); !r) return r;
        return release(std::move(dir));
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

    /// Restores a file entry (on any thread) into the open directory `dir`.
    result<void> restore_file_entry(ReadContext& c, const Link& link, int dir, const std::string& name,
                                    const Metadata& meta, const std::string& path) {
        if (!(c.leaf && c.leaf->reference() == link.reference)) {
            auto child = c.reader().read(link);
            if (!child) return std::move(child.error()).context("restoring " + path);
            if (child->degree() != 0) {
                if (auto r = restore_file(c, *child, dir, name, meta, path); !r) return r;
                restored(path);
                return {};
            }
            c.leaf.emplace(std::move(*child));
        }
        if (auto r = restore_file(c, *c.leaf, dir, name, meta, path); !r) return r;
        restored(path);
        return {};
    }

    /// Restores an entry into the directory `dir`: a file on the pool, the rest here.
    result<void> restore_one(ReadContext& c, const Entry& e, const std::shared_ptr<DirState>& dir) {
        if (e.target) {
            if (auto r = restore_symlink(dir->fd.get(), e.name, *e.target, e.meta, e.path); !r) return r;
            restored(e.path);
            return {};
        }
        const Link link = e.node->child(e.child);
        if (e.meta.type == EntryType::file) {
            {
                std::lock_guard lock(sync_->state);
                ++dir->pending;
            }
            pool_->submit(
                [this, dir, link, name = e.name, meta = e.meta, path = e.path](ReadContext& ctx) {
                    if (sync_->failed.load(std::memory_order_relaxed)) return;
                    result<void> r;
                    try {
                        r = restore_file_entry(ctx, link, dir->fd.get(), name, meta, path);
                        if (r) r = release(dir);
                    } catch (const std::exception& x) {
                        r = fail(errc::internal, path + ": " + x.what());
                    }
                    if (!r) record(std::move(r.error()));
                },
                c);
            return recorded();
        }
        auto child = r_->read(link);
        if (!child) return std::move(child.error()).context("restoring " + e.path);
        return restore_entry(c, *child, dir->fd.get(), e.name, e.meta, e.path, dir, true);
    }

    result<void> restore_listing(ReadContext& c, const Node& node, const std::shared_ptr<DirState>& dir,
                                 const std::string& path, Listing& listing, std::size_t level) {
        auto visit = [&](const Entry& e) -> result<bool> {
            if (auto r = restore_one(c, e, dir); !r) return r.error();
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
    CodecFactory make_codec_;
    TreeProgress progress_;
    std::unique_ptr<Sync> sync_ = std::make_unique<Sync>();
    detail::Pool<ReadContext>* pool_ = nullptr;   // during a restore
    ReadContext* caller_ = nullptr;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_TREE_HPP
