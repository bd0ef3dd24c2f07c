// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `store put` and `store get` (doc/cli.md, "Stores"): files and directory trees as encrypted DAGs
// through a chain of encoders in deterministic mode.

#include "cli.hpp"

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding/any_pipeline.hpp>
#include <sealpipe/storage/uri.hpp>
#include <sealpipe/storage/write_session.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include <fnmatch.h>
#include <sys/stat.h>

namespace sealpipe::cli {
namespace {

result<encoding::AnyPipeline> deterministic_pipeline(const Args& args) {
    return encoding::AnyPipeline::from_file(args.required("encoders"), encoding::Mode::deterministic);
}

/// The progress line of put and get: files and bytes out of the counted total, the rate and
/// the time left.
class Progress : public ProgressLine {
public:
    using ProgressLine::ProgressLine;

    void operator()(const dag::TreeProgress& p) {
        if (!due()) return;
        std::string line = verb() + " ";
        if (p.total_files > 0 || p.total_bytes > 0)
            line += std::to_string(p.files) + "/" + std::to_string(p.total_files) + " files, " + mib(p.bytes) + " of " +
                    mib(p.total_bytes);
        else
            line += std::to_string(p.files) + " files, " + mib(p.bytes);
        const double elapsed = seconds();
        if (elapsed > 0.5 && p.bytes > 0) {
            const double rate = static_cast<double>(p.bytes) / elapsed;
            line += ", " + mib(static_cast<std::uint64_t>(rate)) + "/s";
            if (p.total_bytes > p.bytes) line += ", " + duration(static_cast<double>(p.total_bytes - p.bytes) / rate) + " left";
        }
        show(line);
    }
};

/// --jobs N: threads that encode or decode files (default: one per processor, at most 64).
result<unsigned> jobs(const Args& args) {
    const unsigned processors = std::max(1u, std::thread::hardware_concurrency());
    auto n = uint_option(args, "jobs", std::min(processors, 64u));
    if (!n) return n.error();
    if (*n == 0 || *n > 64) return fail(usage_error, "--jobs: expected 1 to 64, got " + std::to_string(*n));
    return static_cast<unsigned>(*n);
}

/// The encoder chain and the store both commands work through.
struct Session {
    encoding::AnyPipeline pipeline;
    storage::AnyStore store;
};

result<Session> open_session(const Args& args, storage::OpenMode mode) {
    auto pipeline = deterministic_pipeline(args);
    if (!pipeline) return pipeline.error();
    // Checked before the store is opened (and perhaps created).
    if (mode == storage::OpenMode::create && pipeline->decoding_parameters_bytes() == 0 && !args.has("no-encryption"))
        return fail(usage_error, "the encoder chain does not encrypt: the store would hold the tree in the clear "
                                  "(give --no-encryption to store it anyway)");
    auto tls = store_tls(args);
    if (!tls) return tls.error();
    auto store = storage::open_store(args.required("store"), mode, *tls);
    if (!store) return store.error();
    return Session{std::move(*pipeline), std::move(*store)};
}

/// The files of a `dir:` or `sqlite:` store, by device and inode, so that a put of a tree
/// that holds the store leaves them out instead of reading what it is writing.
std::set<std::pair<dev_t, ino_t>> store_files(std::string_view uri) {
    std::vector<std::string> paths;
    if (uri.starts_with("dir:")) {
        paths.emplace_back(uri.substr(4));
    } else if (uri.starts_with("sqlite:")) {
        const std::string db(uri.substr(7));
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) paths.push_back(db + suffix);
    }
    std::set<std::pair<dev_t, ino_t>> out;
    for (const auto& p : paths) {
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0) out.emplace(st.st_dev, st.st_ino);
    }
    return out;
}

void warn(const std::string& text) { std::fprintf(stderr, "sealpipe: warning: %s\n", printable(text).c_str()); }

/** Warnings held back until the command succeeds (doc/cli.md: a failure writes one error line and
    nothing else), at most `limit` of them, then a count. */
class Warnings {
public:
    void add(std::string text) {
        if (held_.size() < limit) held_.push_back(std::move(text));
        else ++more_;
    }
    void print() const {
        for (const auto& w : held_) warn(w);
        if (more_ > 0) warn("and " + std::to_string(more_) + " more");
    }
    std::size_t size() const { return held_.size() + more_; }

private:
    static constexpr std::size_t limit = 1000;
    std::vector<std::string> held_;
    std::size_t more_ = 0;
};

result<void> store_put(const Args& args, Io& io) {
    auto threads = jobs(args);
    if (!threads) return threads.error();
    auto session = open_session(args, storage::OpenMode::create);
    if (!session) return session.error();
    storage::WriteSession objects(session->store,
                                  {.batch_objects = 4096,
                                   .repair = args.has("repair"),
                                   .count_new = io.stderr_is_terminal(),
                                   .background = true});
    dag::Writer writer(session->pipeline, objects);
    Progress progress(io.stderr_is_terminal(), "stored");

    const auto own = store_files(args.required("store"));
    const auto excludes = args.all("exclude");
    const std::string root = [&] {
        std::string r = args.positional().front();
        while (r.size() > 1 && r.back() == '/') r.pop_back();
        return r;
    }();
    if (struct stat st {}; ::stat(root.c_str(), &st) == 0 && own.contains({st.st_dev, st.st_ino}))
        return fail(errc::invalid_argument, root + " is the store itself");
    Warnings warnings;
    std::set<std::string> counted_own;
    dag::TreeOptions options;
    options.filter = [&](const dag::EntryInfo& e) {
        if (own.contains({e.stat.st_dev, e.stat.st_ino})) {
            // Met twice: when the tree is counted, and when it is stored.
            if (counted_own.insert(std::string(e.path)).second)
                warnings.add("left out " + std::string(e.path) + ": it is the store itself");
            return false;
        }
        const std::string_view relative =
            e.path.size() > root.size() + 1 ? e.path.substr(root.size() + (root == "/" ? 0 : 1)) : e.name;
        for (const auto& pattern : excludes) {
            const bool whole_path = pattern.find('/') != std::string::npos;
            const std::string subject(whole_path ? relative : e.name);
            if (::fnmatch(pattern.c_str(), subject.c_str(), whole_path ? FNM_PATHNAME : 0) == 0) return false;
        }
        return true;
    };
    if (args.has("skip-unreadable"))
        options.skip = [&](std::string_view, const Error& e) {
            warnings.add("left out " + e.message());
            return true;
        };
    options.progress = [&](const dag::TreeProgress& p) { progress(p); };
    if (args.has("verbose")) options.stored = [&](std::string_view path) { progress.note(std::string(path)); };
    options.threads = *threads;
    // Each thread encodes with a chain of its own, read from the same file.
    dag::TreeWriter tree(writer, std::move(options), [&] { return deterministic_pipeline(args); });
    auto link = tree.put_path(args.positional().front());
    if (!link) return link.error();
    const auto& done = tree.progress();
    std::string summary = "stored " + std::to_string(done.files) + " files, " + mib(done.bytes) + " (" +
                          mib(objects.new_bytes()) + " new)";
    if (objects.repaired() > 0) summary += ", " + std::to_string(objects.repaired()) + " corrupt objects rewritten";
    progress.summary(summary);
    if (objects.repaired() > 0)
        warnings.add("rewrote " + std::to_string(objects.repaired()) + " stored objects that were corrupt");
    warnings.print();
    io.write_line(link->to_string());
    return {};
}

std::atomic<bool> interrupted{false};
extern "C" void on_interrupt(int) { interrupted.store(true); }

result<void> store_get(const Args& args, Io& io) {
    auto link = dag::Link::parse(args.positional().front());
    if (!link) return link.error();
    auto threads = jobs(args);
    if (!threads) return threads.error();
    auto session = open_session(args, storage::OpenMode::existing);
    if (!session) return session.error();
    dag::Reader reader(session->pipeline, session->store);
    Progress progress(io.stderr_is_terminal(), "restored");
    // SIGINT and SIGTERM stop the restore, which then removes what it wrote.
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    ::sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    dag::RestoreOptions options{.progress = [&](const dag::TreeProgress& p) { progress(p); },
                                .cancelled = [] { return interrupted.load(); },
                                .threads = *threads};
    if (args.has("verbose")) options.restored = [&](std::string_view path) { progress.note(std::string(path)); };
    dag::TreeReader tree(reader, std::move(options), [&] { return deterministic_pipeline(args); });
    const auto inside = args.get("path");
    if (auto r = inside ? tree.restore(*link, *inside, args.required("out")) : tree.restore(*link, args.required("out")); !r)
        return r;
    progress.summary("restored " + std::to_string(tree.progress().files) + " files, " + mib(tree.progress().bytes));
    return {};
}

#define SEALPIPE_DAG_HELP                                                                                  \
    "Files are cut into 1 MiB chunks under a tree of chunk lists; directories keep names, types,\n"          \
    "permission bits, mtimes and symlink targets (doc/dag.md). The encoders run in deterministic\n"         \
    "mode, so the same tree always gives the same root link: <reference hex>.<decoding parameters hex>.\n"  \
    "URI: dir:PATH, sqlite:PATH (the embedded default), redis://[:PASSWORD@]HOST[:PORT][/DB] or\n"        \
    "grpc[s]://HOST:PORT/INSTANCE (a storage server)"

const Registrar put_command{{
    .words = {"store", "put"},
    .summary = "store a file, directory tree or symlink as an encrypted DAG; print its root link",
    .options = with_store_tls({{.name = "store", .value_name = "URI", .help = "where objects go (created if missing)", .required = true},
                {.name = "encoders", .value_name = "FILE", .help = "encoder chain (JSON)", .required = true},
                {.name = "exclude", .value_name = "PATTERN",
                 .help = "leave out entries whose name (or, with a '/', path below PATH) matches (repeatable)",
                 .repeatable = true},
                {.name = "skip-unreadable",
                 .help = "leave out, with a warning, what cannot be read or is not a file, directory or symlink"},
                {.name = "repair", .help = "read back every object already stored; rewrite those that are corrupt"},
                {.name = "verbose", .help = "name each entry on stderr once it is stored"},
                {.name = "jobs", .value_name = "N",
                 .help = "threads that read, compress and encrypt files (default: one per processor)"},
                {.name = "no-encryption", .help = "accept an encoder chain that does not encrypt"}}),
    .positional_usage = "PATH",
    .min_positional = 1,
    .max_positional = 1,
    .run = store_put,
    .details = "The root link is printed only once every object the tree needs is stored: objects removed by a\n"
               "concurrent 'store gc' make the put fail instead. A file that changes while it is read is read\n"
               "again, then counts as unreadable. The store's own files are left out when the tree holds them.\n"
               "The root link is the same whatever --jobs is.\n\n"
               SEALPIPE_DAG_HELP,
}};

const Registrar get_command{{
    .words = {"store", "get"},
    .summary = "restore the file, tree or symlink a root link names; exit 1 if an object is missing or invalid",
    .options = with_store_tls({{.name = "store", .value_name = "URI", .help = "where objects are (must exist)", .required = true},
                {.name = "encoders", .value_name = "FILE", .help = "encoder chain (JSON)", .required = true},
                {.name = "out", .value_name = "PATH", .help = "where to restore (must not exist)", .required = true},
                {.name = "path", .value_name = "INSIDE", .help = "restore only this path of the tree (names joined by '/')"},
                {.name = "verbose", .help = "name each entry on stderr once it is restored"},
                {.name = "jobs", .value_name = "N",
                 .help = "threads that fetch, decrypt, decompress and write files (default: one per processor)"}}),
    .positional_usage = "LINK",
    .min_positional = 1,
    .max_positional = 1,
    .run = store_get,
    .details = "The tree is written under a temporary name beside PATH and renamed to PATH when it is complete;\n"
               "a failed or interrupted restore removes it. Symlinks come back as the links they were, never\n"
               "followed. Hard links come back as separate copies.\n\n" SEALPIPE_DAG_HELP,
}};

} // namespace
} // namespace sealpipe::cli
