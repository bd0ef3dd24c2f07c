// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Remote execution over the network (doc/cli.md, "Over the network"): `scheduler serve`,
// `worker run -- COMMAND` (a generic command worker) and `execute`, speaking Bonanza's gRPC
// services. Built with the grpc component.

#include "cli.hpp"

#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/keys.hpp>
#include <sealpipe/keys/x509.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/net.hpp>
#include <sealpipe/net/storage_server.hpp>
#include <sealpipe/net/remote_storage.hpp>
#include <sealpipe/storage/uri.hpp>
#include <sealpipe/tags/redis.hpp>
#include <sealpipe/tags/sqlite.hpp>

#include <sealpipe/command/command.pb.h>

#include <grpc/support/log.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sealpipe::cli {
namespace {

using namespace sealpipe::execution;
using keys::AnyPrivateKey;
using keys::AnyPublicKey;

/// Failures of the remote side (a stream ending with an error status, a remote command that
/// failed, an event that does not open): exit 1, as doc/cli.md asks of `execute`.
class RemoteCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "sealpipe.remote"; }
    std::string message(int) const override { return "the remote execution failed"; }
    boost::system::error_condition default_error_condition(int) const noexcept override {
        return make_error_condition(condition::verification_failed);
    }
};
Error remote_failure(std::string what) {
    static const RemoteCategory category;
    return Error(boost::system::error_code(1, category), std::move(what));
}

/// gRPC's own log lines stay off stderr: the commands report each failure once, in their
/// own error line.
void quiet_grpc() {
    gpr_set_log_function([](gpr_log_func_args*) {});
}

void wipe_string(std::string& s) { wipe(MutableByteView(reinterpret_cast<Byte*>(s.data()), s.size())); }

/// Seconds as a duration, for the options that take them (at most a year unless `max` says).
result<std::chrono::nanoseconds> seconds_option(const Args& args, std::string_view name, std::uint64_t fallback,
                                                std::uint64_t max = 365ull * 86400) {
    auto v = uint_option(args, name, fallback);
    if (!v) return v.error();
    if (*v > max) return fail(usage_error, "--" + std::string(name) + ": at most " + std::to_string(max) + " seconds");
    return std::chrono::nanoseconds(std::chrono::seconds(static_cast<std::int64_t>(*v)));
}

/// The channel options of `--scheduler URL` and the client-side TLS files.
result<net::ChannelOptions> channel_options(const Args& args) {
    net::ChannelOptions o;
    o.url = args.required("scheduler");
    if (auto e = net::parse_url(o.url); !e) return fail(usage_error, "--scheduler: " + e.error().message());
    if (auto ca = args.get("tls-ca")) {
        auto t = read_text_file(*ca);
        if (!t) return t.error();
        o.tls_ca_pem = std::move(*t);
    }
    if (args.has("tls-cert") != args.has("tls-key")) return fail(usage_error, "--tls-cert and --tls-key go together");
    if (auto cert = args.get("tls-cert")) {
        auto c = read_text_file(*cert);
        if (!c) return c.error();
        auto k = read_text_file(args.required("tls-key"));
        if (!k) return k.error();
        o.tls_cert_pem = std::move(*c);
        o.tls_key_pem = std::move(*k);
    }
    if (!net::parse_url(o.url)->tls && (!o.tls_ca_pem.empty() || !o.tls_cert_pem.empty()))
        return fail(usage_error, "--tls-ca, --tls-cert and --tls-key need a grpcs:// scheduler URL");
    return o;
}

const std::vector<Option> tls_client_options = {
    {.name = "tls-ca", .value_name = "FILE", .help = "CA certificates that verify the scheduler (grpcs://)"},
    {.name = "tls-cert", .value_name = "FILE", .help = "client certificate chain for mutual TLS"},
    {.name = "tls-key", .value_name = "FILE", .help = "its private key"}};

std::vector<Option> with_tls(std::vector<Option> o) {
    o.insert(o.end(), tls_client_options.begin(), tls_client_options.end());
    return o;
}

/** SIGINT and SIGTERM, blocked in every thread (call before starting any) and awaited by
    `wait()`, so that a signal ends the command through its normal path. */
class Signals {
public:
    Signals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    }
    ~Signals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    /// Waits for SIGINT or SIGTERM; returns it.
    int wait() const {
        int sig = 0;
        while (sigwait(&set_, &sig) != 0) {
        }
        return sig;
    }
    /// Sends SIGTERM to this process (to end a thread waiting in `wait`).
    static void raise_term() { ::kill(::getpid(), SIGTERM); }
    /// The mask a child process should start with.
    const sigset_t& previous() const { return previous_; }

private:
    sigset_t set_{}, previous_{};
};

// --- scheduler serve --------------------------------------------------------------------

/// `--listen` and the server-side TLS files of a `serve` command.
result<net::ServerOptions> server_options(const Args& args) {
    net::ServerOptions server;
    server.listen = args.required("listen");
    if (args.has("tls-cert") != args.has("tls-key")) return fail(usage_error, "--tls-cert and --tls-key go together");
    if (args.has("tls-client-ca") && !args.has("tls-cert"))
        return fail(usage_error, "--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key");
    for (auto [option, slot] : {std::pair{"tls-cert", &server.tls_cert_pem}, std::pair{"tls-key", &server.tls_key_pem},
                                std::pair{"tls-client-ca", &server.tls_client_ca_pem}}) {
        if (auto path = args.get(option)) {
            auto t = read_text_file(*path);
            if (!t) return t.error();
            *slot = std::move(*t);
        }
    }
    return server;
}

/// Prints the one `listening on HOST:PORT` line (the real port) and flushes it.
void announce(const net::ServerOptions& server, int port) {
    const auto colon = server.listen.rfind(':');
    const std::string line = "listening on " + server.listen.substr(0, colon) + ":" + std::to_string(port) + "\n";
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
}

const std::vector<Option> tls_server_options = {
    {.name = "tls-cert", .value_name = "FILE", .help = "server certificate chain (PEM): serve TLS"},
    {.name = "tls-key", .value_name = "FILE", .help = "its private key"},
    {.name = "tls-client-ca", .value_name = "FILE", .help = "require client certificates issued by these CAs (mutual TLS)"}};

result<void> scheduler_serve(const Args& args, Io&) {
    quiet_grpc();
    auto server_or = server_options(args);
    if (!server_or) return server_or.error();
    const net::ServerOptions& server = *server_or;
    auto options = net::bonanza_scheduler_options();
    auto max_timeout = seconds_option(args, "max-timeout", 86400, 9'000'000'000ull);
    if (!max_timeout) return max_timeout.error();
    options.max_execution_timeout = *max_timeout;
    auto gone = seconds_option(args, "worker-gone-after", 60);
    if (!gone) return gone.error();
    if (*gone == std::chrono::nanoseconds::zero()) return fail(usage_error, "--worker-gone-after: at least 1 second");
    options.worker_lease = *gone;
    auto idle = seconds_option(args, "idle-poll", 60);
    if (!idle) return idle.error();
    options.idle_poll = *idle;
    auto grace = seconds_option(args, "client-grace", 60);
    if (!grace) return grace.error();
    options.client_grace = *grace;
    auto attempts = uint_option(args, "requeue", 0);
    if (!attempts) return attempts.error();
    if (*attempts > 100) return fail(usage_error, "--requeue: at most 100 more attempts");
    options.max_attempts = static_cast<std::size_t>(*attempts) + 1;
    net::StreamOptions stream;
    auto keepalive = seconds_option(args, "keepalive", 60);
    if (!keepalive) return keepalive.error();
    if (*keepalive == std::chrono::nanoseconds::zero()) return fail(usage_error, "--keepalive: at least 1 second");
    stream.keepalive = *keepalive;

    Signals signals;
    net::SchedulerServer s(options, stream);
    if (auto r = s.start(server); !r) return r.error();
    announce(server, s.port());
    signals.wait();
    s.shutdown();
    return {};
}

// --- storage serve ----------------------------------------------------------------------

/// The tag backend that goes with a store URI: the same SQLite file or Redis server, a
/// `tags` directory inside a directory store, or memory.
result<tags::AnyTagBackend> tag_backend(std::string_view uri) {
    auto wrap = [](auto&& r) -> result<tags::AnyTagBackend> {
        if (!r) return r.error();
        return tags::AnyTagBackend(std::move(*r));
    };
    if (uri.starts_with("sqlite:")) return wrap(tags::SqliteTags::open(std::string(uri.substr(7))));
    if (uri.starts_with("dir:")) return wrap(tags::DirectoryTags::open(std::string(uri.substr(4)) + "/tags"));
    if (uri.starts_with("redis://")) return wrap(tags::RedisTags::open(uri));
    if (uri == "memory:") return tags::AnyTagBackend(tags::MemoryTags{});
    return fail(usage_error, "--store: storage serve serves dir:, sqlite:, redis:// or memory: stores");
}

/// `--lease-secret FILE`: 32 bytes, raw or as 64 hex digits.
result<net::LeaseIssuer> lease_issuer(const Args& args, const std::string& instance) {
    auto path = args.get("lease-secret");
    if (!path) return net::LeaseIssuer::random(instance);
    auto text = read_text_file(*path);
    if (!text) return text.error();
    std::string t = std::move(*text);
    SecretBytes secret;
    if (t.size() == 32) {
        secret = SecretBytes::copy_of(as_bytes(t));
    } else {
        while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
        auto b = hex_decode(t);
        if (!b || b->size() != 32) {
            wipe_string(t);
            return fail(usage_error, "--lease-secret: the file must hold 32 bytes, raw or as 64 hex digits");
        }
        secret = SecretBytes::copy_of(*b);
        wipe(*b);
    }
    wipe_string(t);
    return net::LeaseIssuer::from_secret(instance, secret);
}

result<void> storage_serve(const Args& args, Io&) {
    quiet_grpc();
    auto server = server_options(args);
    if (!server) return server.error();
    const std::string uri = args.required("store");
    if (uri.starts_with("grpc://") || uri.starts_with("grpcs://"))
        return fail(usage_error, "--store: storage serve serves a local store, not a remote one");
    auto objects = storage::open_backend(uri, storage::OpenMode::create);
    if (!objects) return objects.error();
    auto tags = tag_backend(uri);
    if (!tags) return tags.error();
    net::StorageServerOptions options;
    options.instance_name = args.get("instance").value_or("");
    auto ttl = seconds_option(args, "lease-ttl", 600);
    if (!ttl) return ttl.error();
    auto grace = seconds_option(args, "gc-grace", 3600);
    if (!grace) return grace.error();
    if (*ttl == std::chrono::nanoseconds::zero()) return fail(usage_error, "--lease-ttl: at least 1 second");
    if (*grace < *ttl) return fail(usage_error, "--gc-grace must be at least --lease-ttl, or collections would break leases");
    options.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
    options.gc_grace = std::chrono::duration_cast<std::chrono::seconds>(*grace);
    options.allow_remove = args.has("allow-remove");
    auto leases = lease_issuer(args, options.instance_name);
    if (!leases) return leases.error();

    Signals signals;
    net::StorageServer s(std::move(*objects), std::move(*tags), std::move(*leases), options);
    if (auto r = s.start(*server); !r) return r.error();
    announce(*server, s.port());
    signals.wait();
    s.shutdown();
    return {};
}

// --- worker run -------------------------------------------------------------------------

/// One run of the worker's command: the action plaintext on its stdin, stderr lines as
/// execution events, stdout collected, killed at the deadline or when cancelled.
net::Outcome run_command(const std::vector<std::string>& argv, const sigset_t& child_mask, std::size_t max_output,
                         const net::RemoteTask& task, net::Progress& progress) {
    net::Outcome outcome;
    sealpipe::command::Result result;
    auto finish = [&](net::Outcome::Result r) {
        outcome.result = r;
        Bytes b = net::detail::serialize(result);
        outcome.plaintext = std::move(b);
        return outcome;
    };
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        result.set_exit_code(127);
        return finish(net::Outcome::Result::failed);
    }
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::sigprocmask(SIG_SETMASK, &child_mask, nullptr);
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        ::execvp(a[0], a.data());
        const std::string msg = "sealpipe worker: cannot run " + argv[0] + ": " + std::strerror(errno) + "\n";
        (void)!::write(2, msg.data(), msg.size());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
        ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        result.set_exit_code(127);
        return finish(net::Outcome::Result::failed);
    }
    ::fcntl(in[1], F_SETFL, O_NONBLOCK);
    const ByteView input(task.action.plaintext);
    std::size_t written = 0;
    int in_fd = in[1];
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    std::string stdout_bytes, stderr_line;
    bool out_open = true, err_open = true, timed_out = false, too_much = false, cancelled = false;
    const auto deadline = task.effective_timeout >= std::chrono::hours(24 * 365 * 100)
                              ? std::chrono::steady_clock::time_point::max()
                              : started + task.effective_timeout;
    auto kill_all = [&] { ::kill(-pid, SIGKILL); };
    char buffer[65536];
    while (out_open || err_open) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            timed_out = true;
            kill_all();
            break;
        }
        if (progress.cancelled()) {
            cancelled = true;
            kill_all();
            break;
        }
        // Wake at least every 100 ms to look at the cancellation flag.
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        if (wait > std::chrono::milliseconds(100)) wait = std::chrono::milliseconds(100);
        pollfd fds[3] = {{out_open ? out[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0},
                         {in_fd, POLLOUT, 0}};
        if (::poll(fds, 3, static_cast<int>(wait.count()) + 1) < 0 && errno != EINTR) break;
        if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
            const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 && errno != EAGAIN && errno != EINTR) written = input.size();   // it will not read
            if (written == input.size()) {
                ::close(in_fd);
                in_fd = -1;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t n = ::read(out[0], buffer, sizeof buffer);
            if (n <= 0) {
                out_open = false;
            } else {
                stdout_bytes.append(buffer, static_cast<std::size_t>(n));
                if (stdout_bytes.size() > max_output) {
                    too_much = true;
                    kill_all();
                    break;
                }
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t n = ::read(err[0], buffer, sizeof buffer);
            if (n <= 0) {
                err_open = false;
                if (!stderr_line.empty()) progress.event(as_bytes(stderr_line));
            } else {
                stderr_line.append(buffer, static_cast<std::size_t>(n));
                for (auto nl = stderr_line.find('\n'); nl != std::string::npos; nl = stderr_line.find('\n')) {
                    progress.event(as_bytes(std::string_view(stderr_line).substr(0, nl)));
                    stderr_line.erase(0, nl + 1);
                }
                if (stderr_line.size() > 65536) {   // a line without end: sent in pieces
                    progress.event(as_bytes(stderr_line));
                    stderr_line.clear();
                }
            }
        }
    }
    if (in_fd >= 0) ::close(in_fd);
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    outcome.virtual_duration = std::chrono::steady_clock::now() - started;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    result.set_exit_code(code);
    if (too_much) {
        result.set_exit_code(code == 0 ? 1 : code);
        return finish(net::Outcome::Result::failed);
    }
    result.set_stdout(stdout_bytes);
    wipe_string(stdout_bytes);
    if (timed_out) {
        result.set_timed_out(true);
        return finish(net::Outcome::Result::timed_out);
    }
    if (cancelled) return finish(net::Outcome::Result::failed);
    return finish(code == 0 ? net::Outcome::Result::succeeded : net::Outcome::Result::failed);
}

result<void> worker_run(const Args& args, Io&) {
    quiet_grpc();
    if (args.positional().empty()) return fail(usage_error, "worker run: the command to run follows '--'");
    std::vector<AnyPrivateKey> platform_keys;
    for (const std::string& path : args.all("platform-key")) {
        auto t = read_text_file(path);
        if (!t) return t.error();
        auto k = AnyPrivateKey::from_pem(*t);
        wipe_string(*t);
        if (!k) return std::move(k.error()).context(path);
        platform_keys.push_back(std::move(*k));
    }
    auto ca = read_text_file(args.required("ca"), key_file_limit * 16);
    if (!ca) return ca.error();
    auto trust = keys::TrustStore::from_pem(*ca);
    if (!trust) return std::move(trust.error()).context(args.required("ca"));
    auto max_timeout = seconds_option(args, "max-timeout", 86400);
    if (!max_timeout) return max_timeout.error();
    if (*max_timeout == std::chrono::nanoseconds::zero()) return fail(usage_error, "--max-timeout: at least 1 second");
    auto worker = Worker::create(std::move(platform_keys), std::move(*trust), *max_timeout);
    if (!worker) return worker.error();
    auto channel = channel_options(args);
    if (!channel) return channel.error();
    net::WorkerOptions options;
    for (const std::string& kv : args.all("worker-id")) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return fail(usage_error, "--worker-id: expected KEY=VALUE, got '" + kv + "'");
        options.worker_id[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    if (options.worker_id.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        options.worker_id = {{"host", host}, {"pid", std::to_string(::getpid())}};
    }
    auto size_class = uint_option(args, "size-class", 0);
    if (!size_class) return size_class.error();
    if (*size_class > std::numeric_limits<std::uint32_t>::max()) return fail(usage_error, "--size-class: too large");
    options.size_class = static_cast<std::uint32_t>(*size_class);
    auto concurrency = uint_option(args, "concurrency", 1);
    if (!concurrency) return concurrency.error();
    if (*concurrency == 0 || *concurrency > 256) return fail(usage_error, "--concurrency: 1 to 256");
    auto max_output = uint_option(args, "max-output", std::uint64_t{16} << 20);
    if (!max_output) return max_output.error();
    // Ahead of the idle poll of a scheduler with default settings.
    options.call_timeout = std::chrono::seconds(90);

    Signals signals;
    const std::vector<std::string> argv = args.positional();
    std::atomic<bool> stop{false};
    std::vector<net::RemoteWorker> workers;
    for (std::uint64_t i = 0; i < *concurrency; ++i) {
        net::WorkerOptions o = options;
        if (*concurrency > 1) o.worker_id["thread"] = std::to_string(i);
        auto w = net::RemoteWorker::connect(*worker, *channel, o);
        if (!w) return w.error();
        workers.push_back(std::move(*w));
    }
    const sigset_t child_mask = signals.previous();
    const std::size_t limit = static_cast<std::size_t>(*max_output);
    net::Runner runner = [&](const net::RemoteTask& t, net::Progress& p) {
        return run_command(argv, child_mask, limit, t, p);
    };
    std::vector<result<void>> results(workers.size());
    std::vector<std::thread> threads;
    std::atomic<std::size_t> running{workers.size()};
    for (std::size_t i = 0; i < workers.size(); ++i)
        threads.emplace_back([&, i] {
            results[i] = workers[i].run(runner, stop);
            if (--running == 0 && !stop.load()) Signals::raise_term();   // every worker gave up
        });
    signals.wait();
    stop = true;
    for (auto& w : workers) w.wake();
    for (auto& t : threads) t.join();
    for (auto& r : results)
        if (!r) return r.error();
    return {};
}

// --- execute ----------------------------------------------------------------------------

result<void> execute(const Args& args, Io& io) {
    quiet_grpc();
    Signals signals;   // before any thread starts (gRPC's too)
    auto platform_text = read_text_file(args.required("platform-key"));
    if (!platform_text) return platform_text.error();
    auto platform = AnyPublicKey::from_pem(*platform_text);
    if (!platform) return std::move(platform.error()).context(args.required("platform-key"));
    auto chain = read_text_file(args.required("client-cert"));
    if (!chain) return chain.error();
    auto key = read_text_file(args.required("client-key"));
    if (!key) return key.error();
    auto client = Client::from_pem(*chain, *key);
    wipe_string(*key);
    if (!client) return client.error();
    const std::string nonce = args.get("nonce").value_or("zero");
    if (nonce != "zero" && nonce != "random") return fail(usage_error, "--nonce: expected zero or random");
    auto fingerprint = hex_option(args, "fingerprint");
    if (!fingerprint) return fail(usage_error, fingerprint.error().message());
    auto timeout = uint_option(args, "timeout", 3600);
    if (!timeout) return timeout.error();
    if (*timeout > static_cast<std::uint64_t>(Duration::max_seconds))
        return fail(usage_error, "--timeout: expected 0 to " + std::to_string(Duration::max_seconds) + " seconds");
    std::int32_t priority = 0;
    if (auto p = args.get("priority")) {
        try {
            std::size_t used = 0;
            const long v = std::stol(*p, &used);
            if (used != p->size() || v < std::numeric_limits<std::int32_t>::min() ||
                v > std::numeric_limits<std::int32_t>::max())
                throw std::out_of_range("priority");
            priority = static_cast<std::int32_t>(v);
        } catch (const std::exception&) {
            return fail(usage_error, "--priority: expected an integer (int32), got '" + *p + "'");
        }
    }
    auto channel = channel_options(args);
    if (!channel) return channel.error();
    auto plaintext = io.read_stdin(message_limit);
    if (!plaintext) return plaintext.error();

    auto remote = net::RemoteClient::connect(std::move(*client), *channel);
    if (!remote) return remote.error();
    AdditionalData ad{std::move(*fingerprint), Duration::from_seconds(static_cast<std::int64_t>(*timeout))};
    auto x = remote->execute(*platform, *plaintext, std::move(ad),
                             nonce == "zero" ? NoncePolicy::zero : NoncePolicy::random, priority);
    wipe(*plaintext);
    if (!x) return x.error();
    // A signal cancels the stream; the scheduler sees the client go away.
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        signals.wait();
        if (!done.load()) x->cancel();
    });
    struct Join {
        std::atomic<bool>& done;
        std::thread& t;
        ~Join() {
            done = true;
            Signals::raise_term();
            t.join();
        }
    } join{done, watcher};
    for (;;) {
        auto e = x->next();
        if (!e) {
            if (e.error() == condition::verification_failed) return std::move(e).error();
            return remote_failure(e.error().message());
        }
        if (!e->final) {
            std::fprintf(stderr, "event: %s\n", printable(std::string_view(as_chars(ByteView(e->plaintext)))).c_str());
            continue;
        }
        if (args.has("raw")) {
            io.write(e->plaintext);
            return {};
        }
        sealpipe::command::Result r;
        if (!r.ParseFromArray(e->plaintext.data(), static_cast<int>(e->plaintext.size())))
            return remote_failure("the completion event does not hold a sealpipe.command.Result (use --raw)");
        if (r.timed_out()) return remote_failure("remote command timed out");
        if (r.exit_code() != 0)
            return remote_failure("remote command exited with status " + std::to_string(r.exit_code()));
        io.write(as_bytes(r.stdout()));
        return {};
    }
}

const Registrar scheduler_serve_command{{
    .words = {"scheduler", "serve"},
    .summary = "serve Bonanza's Execution and OperationQueue services on one port until SIGINT or SIGTERM",
    .options = {{.name = "listen", .value_name = "HOST:PORT", .help = "address to listen on (port 0: any free port)",
                 .required = true},
                {.name = "max-timeout", .value_name = "S", .help = "longest execution timeout accepted (default 86400)"},
                {.name = "worker-gone-after", .value_name = "S",
                 .help = "a worker silent this long has gone (default 60)"},
                {.name = "idle-poll", .value_name = "S", .help = "longest an idle worker's call is held (default 60)"},
                {.name = "client-grace", .value_name = "S",
                 .help = "how long an operation waits for a client that went away (default 60)"},
                {.name = "requeue", .value_name = "N",
                 .help = "give the action of a vanished worker to another worker up to N times (default 0)"},
                {.name = "keepalive", .value_name = "S", .help = "repeat the stage on idle streams (default 60)"},
                tls_server_options[0], tls_server_options[1], tls_server_options[2]},
    .run = scheduler_serve,
    .details = "Prints one line 'listening on HOST:PORT' (the real port) to stdout once it accepts calls. "
               "The scheduler sees platform public keys, nonces, certificates, timeouts and fingerprints; "
               "never a plaintext.",
}};

std::vector<Option> with_server_tls(std::vector<Option> o) {
    o.insert(o.end(), tls_server_options.begin(), tls_server_options.end());
    return o;
}

const Registrar storage_serve_command{{
    .words = {"storage", "serve"},
    .summary = "serve a store over Bonanza's storage services (objects, DAG uploads, tags) until SIGINT or SIGTERM",
    .options = with_server_tls(
        {{.name = "listen", .value_name = "HOST:PORT", .help = "address to listen on (port 0: any free port)",
          .required = true},
         {.name = "store", .value_name = "URI", .help = "the store served: dir:PATH, sqlite:PATH, redis://... or memory:",
          .required = true},
         {.name = "instance", .value_name = "NAME", .help = "the instance name requests must carry (default empty)"},
         {.name = "lease-ttl", .value_name = "S", .help = "longest life of a lease (default 600)"},
         {.name = "gc-grace", .value_name = "S",
          .help = "the grace period the store's collections use, at least the lease TTL (default 3600)"},
         {.name = "lease-secret", .value_name = "FILE",
          .help = "32-byte lease key (raw or hex), shared by servers of one store (default: random per start)"},
         {.name = "allow-remove",
          .help = "let clients delete objects (store gc through the server); only where every client is trusted"}}),
    .run = storage_serve,
    .details = "Prints one line 'listening on HOST:PORT' (the real port) to stdout once it accepts calls. "
               "Clients reach it as --store grpc://HOST:PORT/INSTANCE. Every object is verified against its "
               "reference before it is stored and before it is sent.",
}};

const Registrar worker_run_command{{
    .words = {"worker", "run"},
    .summary = "run COMMAND once per action received from the scheduler (a generic command worker)",
    .options = with_tls({{.name = "scheduler", .value_name = "URL", .help = "grpc://HOST:PORT or grpcs://HOST:PORT",
                          .required = true},
                         {.name = "platform-key", .value_name = "PRIV",
                          .help = "a platform private key (PKCS#8 PEM); repeatable", .required = true,
                          .repeatable = true},
                         {.name = "ca", .value_name = "FILE", .help = "client CA certificates (PEM)", .required = true},
                         {.name = "worker-id", .value_name = "KEY=VALUE",
                          .help = "an entry of the worker_id map; repeatable (default host and pid)",
                          .repeatable = true},
                         {.name = "size-class", .value_name = "N", .help = "Bonanza's size class (default 0)"},
                         {.name = "concurrency", .value_name = "N", .help = "actions run at once (default 1)"},
                         {.name = "max-timeout", .value_name = "S",
                          .help = "longest execution timeout accepted (default 86400)"},
                         {.name = "max-output", .value_name = "BYTES",
                          .help = "stdout beyond this fails the run (default 16 MiB)"}}),
    .positional_usage = "-- COMMAND [ARG]...",
    .min_positional = 1,
    .max_positional = 4096,
    .run = worker_run,
    .details = "The action plaintext is the command's stdin; each stderr line is an execution event; the "
               "completion event is a sealpipe.command.Result (stdout, exit code, timed out). The command is "
               "killed at the effective execution timeout. SIGINT or SIGTERM abandons the current run and "
               "exits 0.",
}};

const Registrar execute_command{{
    .words = {"execute"},
    .summary = "seal stdin as an action, run it through the scheduler, print the command's stdout",
    .options = with_tls({{.name = "scheduler", .value_name = "URL", .help = "grpc://HOST:PORT or grpcs://HOST:PORT",
                          .required = true},
                         {.name = "platform-key", .value_name = "PUB", .help = "the platform public key (PKIX PEM)",
                          .required = true},
                         {.name = "client-cert", .value_name = "CHAIN",
                          .help = "client certificate chain PEM, leaf first", .required = true},
                         {.name = "client-key", .value_name = "KEY", .help = "the leaf's private key (PKCS#8 PEM)",
                          .required = true},
                         {.name = "timeout", .value_name = "S", .help = "execution timeout (default 3600)"},
                         {.name = "nonce", .value_name = "zero|random", .help = "default zero (deduplication)"},
                         {.name = "fingerprint", .value_name = "HEX", .help = "additional_data.stable_fingerprint"},
                         {.name = "priority", .value_name = "N", .help = "lower runs sooner (default 0)"},
                         {.name = "raw", .help = "write the completion plaintext as it is"}}),
    .run = execute,
    .details = "Execution events go to stderr as 'event: <text>'. Exit 1 when the stream ends with an error "
               "status, the completion has no event or does not open, or the remote command failed.",
}};

} // namespace
} // namespace sealpipe::cli
