// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// How sealpipe's gRPC endpoints connect and listen (doc/execution.md, "Over the network"):
// scheduler URLs (`grpc://`, `grpcs://`), TLS and mutual TLS, message size limits, call
// deadlines and reconnection backoff.

#ifndef SEALPIPE_NET_OPTIONS_HPP
#define SEALPIPE_NET_OPTIONS_HPP

#include <sealpipe/error.hpp>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace sealpipe::net {

/// The largest gRPC message either side sends or accepts unless told otherwise: an action of
/// the scheduler's default limit (4 MiB) and its envelope.
inline constexpr std::size_t default_max_message_bytes = (std::size_t{4} << 20) + (std::size_t{64} << 10);

/// How a client or worker reaches a scheduler.
struct ChannelOptions {
    /// `grpc://HOST:PORT` (plaintext HTTP/2) or `grpcs://HOST:PORT` (TLS).
    std::string url;
    /// TLS: PEM of the CA certificates that verify the server (empty: the system's roots).
    std::string tls_ca_pem;
    /// Mutual TLS: the client certificate chain and its private key, PEM (both or neither).
    std::string tls_cert_pem;
    std::string tls_key_pem;
    /// The largest message sent or received.
    std::size_t max_message_bytes = default_max_message_bytes;
    /// Reconnection backoff of the channel (gRPC's exponential backoff between attempts).
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    /// The deadline of an `Execute` or `WaitExecution` stream when the caller gives none: no
    /// call runs without one.
    std::chrono::seconds stream_deadline = std::chrono::hours(24);
    /** Messages a stream may bring within one minute without a new event (a scheduler sends a
        keepalive a minute by default, at most one a second): beyond it the scheduler is taken
        to stream without end, and the stream is ended with `errc::size_limit_exceeded`. A
        stream that lasts for days with keepalives never reaches it. */
    std::size_t max_idle_stream_messages = 1'000;
    /// The window `max_idle_stream_messages` counts in.
    std::chrono::milliseconds idle_stream_window = std::chrono::minutes(1);
};

/// Where and how a scheduler listens.
struct ServerOptions {
    /// `HOST:PORT`; port 0 picks a free port (`SchedulerServer::port()` tells which).
    std::string listen = "127.0.0.1:0";
    /// TLS: the server's certificate chain and key, PEM (both or neither).
    std::string tls_cert_pem;
    std::string tls_key_pem;
    /// Mutual TLS: PEM of the CA certificates that client certificates must chain to; when
    /// set, a client without a valid certificate is refused.
    std::string tls_client_ca_pem;
    /// The largest message received or sent.
    std::size_t max_message_bytes = default_max_message_bytes;
    /// Concurrent calls on one connection (HTTP/2 streams); more wait for a free one.
    int max_concurrent_streams = 2000;
    /// Threads serving calls at once on a server with synchronous services (the storage
    /// server: each open call holds one); beyond it calls are refused with
    /// `RESOURCE_EXHAUSTED` rather than the process running out of threads. The scheduler
    /// holds no thread per call; `StreamOptions::max_streams` bounds its streams.
    int max_threads = 4000;
};

/// A parsed scheduler URL.
struct Endpoint {
    std::string target;   ///< HOST:PORT, as gRPC names it
    bool tls = false;
};

/** Reads `grpc://HOST:PORT` or `grpcs://HOST:PORT`.
    @par Errors `errc::invalid_argument` (another scheme, no host or port). */
[[nodiscard]] inline result<Endpoint> parse_url(std::string_view url) {
    Endpoint e;
    std::string_view rest;
    if (url.starts_with("grpc://")) {
        rest = url.substr(7);
    } else if (url.starts_with("grpcs://")) {
        rest = url.substr(8);
        e.tls = true;
    } else {
        return fail(errc::invalid_argument, "scheduler URL '" + std::string(url) +
                                                 "': expected grpc://HOST:PORT or grpcs://HOST:PORT");
    }
    const auto colon = rest.rfind(':');
    if (rest.empty() || colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size() ||
        rest.find('/') != std::string_view::npos)
        return fail(errc::invalid_argument, "scheduler URL '" + std::string(url) + "': expected HOST:PORT after the scheme");
    for (char c : rest.substr(colon + 1))
        if (c < '0' || c > '9')
            return fail(errc::invalid_argument, "scheduler URL '" + std::string(url) + "': the port is not a number");
    e.target = std::string(rest);
    return e;
}

/** A channel to the scheduler with the options' credentials, message limits and backoff.
    Connection happens lazily and again after a failure.
    @par Errors those of `parse_url`; `errc::invalid_argument` for TLS material given to a
    plaintext URL, or a certificate without its key. */
[[nodiscard]] inline result<std::shared_ptr<::grpc::Channel>> make_channel(const ChannelOptions& o) {
    auto e = parse_url(o.url);
    if (!e) return e.error();
    if (o.tls_cert_pem.empty() != o.tls_key_pem.empty())
        return fail(errc::invalid_argument, "a TLS client certificate needs its key, and a key its certificate");
    std::shared_ptr<::grpc::ChannelCredentials> credentials;
    if (e->tls) {
        ::grpc::SslCredentialsOptions ssl;
        ssl.pem_root_certs = o.tls_ca_pem;
        ssl.pem_cert_chain = o.tls_cert_pem;
        ssl.pem_private_key = o.tls_key_pem;
        credentials = ::grpc::SslCredentials(ssl);
    } else {
        if (!o.tls_ca_pem.empty() || !o.tls_cert_pem.empty())
            return fail(errc::invalid_argument, "TLS options were given for a plaintext grpc:// URL (use grpcs://)");
        credentials = ::grpc::InsecureChannelCredentials();
    }
    ::grpc::ChannelArguments args;
    const int limit = o.max_message_bytes > static_cast<std::size_t>(INT32_MAX) ? INT32_MAX
                                                                               : static_cast<int>(o.max_message_bytes);
    args.SetMaxReceiveMessageSize(limit);
    args.SetMaxSendMessageSize(limit);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(o.initial_backoff.count()));
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(o.initial_backoff.count()));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(o.max_backoff.count()));
    // Each channel its own connection: several clients in one process do not share one.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return ::grpc::CreateCustomChannel(e->target, credentials, args);
}

/// The status code's name as gRPC spells it (`UNAVAILABLE`).
[[nodiscard]] inline std::string_view code_name(::grpc::StatusCode c) noexcept {
    switch (c) {
    case ::grpc::OK: return "OK";
    case ::grpc::CANCELLED: return "CANCELLED";
    case ::grpc::UNKNOWN: return "UNKNOWN";
    case ::grpc::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case ::grpc::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case ::grpc::NOT_FOUND: return "NOT_FOUND";
    case ::grpc::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case ::grpc::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case ::grpc::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case ::grpc::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case ::grpc::ABORTED: return "ABORTED";
    case ::grpc::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case ::grpc::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case ::grpc::INTERNAL: return "INTERNAL";
    case ::grpc::UNAVAILABLE: return "UNAVAILABLE";
    case ::grpc::DATA_LOSS: return "DATA_LOSS";
    case ::grpc::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
    }
}

/** A failed call as a sealpipe error whose message names the status code:
    `UNAVAILABLE: the worker running the action went away`. The error is
    `backend_unavailable` (UNAVAILABLE), `timed_out` (DEADLINE_EXCEEDED), `cancelled`
    (CANCELLED), `object_not_found` (NOT_FOUND), `unknown_platform_key`
    (FAILED_PRECONDITION), `invalid_argument` (INVALID_ARGUMENT, OUT_OF_RANGE) or `internal`. */
[[nodiscard]] inline Error status_error(const ::grpc::Status& s) {
    errc e = errc::internal;
    switch (s.error_code()) {
    case ::grpc::UNAVAILABLE: e = errc::backend_unavailable; break;
    case ::grpc::DEADLINE_EXCEEDED: e = errc::timed_out; break;
    case ::grpc::CANCELLED: e = errc::cancelled; break;
    case ::grpc::NOT_FOUND: e = errc::object_not_found; break;
    case ::grpc::FAILED_PRECONDITION: e = errc::unknown_platform_key; break;
    case ::grpc::INVALID_ARGUMENT:
    case ::grpc::OUT_OF_RANGE: e = errc::invalid_argument; break;
    default: break;
    }
    return fail(e, std::string(code_name(s.error_code())) + ": " + s.error_message());
}

namespace detail {

/// A started gRPC server and the port it listens on.
struct StartedServer {
    std::unique_ptr<::grpc::Server> server;
    int port = 0;
};

/** Starts a server with the options' credentials, limits and thread quota for `services`.
    @par Errors `errc::invalid_argument` (a certificate without its key, a client CA without a
    certificate), `errc::io_error` (the address cannot be bound). */
[[nodiscard]] inline result<StartedServer> build_server(const ServerOptions& o, const std::string& quota_name,
                                                        std::initializer_list<::grpc::Service*> services) {
    if (o.tls_cert_pem.empty() != o.tls_key_pem.empty())
        return fail(errc::invalid_argument, "a TLS server certificate needs its key, and a key its certificate");
    if (!o.tls_client_ca_pem.empty() && o.tls_cert_pem.empty())
        return fail(errc::invalid_argument, "mutual TLS (a client CA) needs a server certificate");
    std::shared_ptr<::grpc::ServerCredentials> credentials;
    if (o.tls_cert_pem.empty()) {
        credentials = ::grpc::InsecureServerCredentials();
    } else {
        ::grpc::SslServerCredentialsOptions ssl(o.tls_client_ca_pem.empty()
                                                    ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                    : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
        ssl.pem_root_certs = o.tls_client_ca_pem;
        ssl.pem_key_cert_pairs.push_back({o.tls_key_pem, o.tls_cert_pem});
        credentials = ::grpc::SslServerCredentials(ssl);
    }
    const int limit = o.max_message_bytes > static_cast<std::size_t>(INT32_MAX) ? INT32_MAX
                                                                               : static_cast<int>(o.max_message_bytes);
    ::grpc::ServerBuilder builder;
    StartedServer out;
    builder.AddListeningPort(o.listen, credentials, &out.port);
    builder.SetMaxReceiveMessageSize(limit);
    builder.SetMaxSendMessageSize(limit);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, o.max_concurrent_streams);
    ::grpc::ResourceQuota quota(quota_name);
    quota.SetMaxThreads(o.max_threads);
    builder.SetResourceQuota(quota);
    for (auto* s : services) builder.RegisterService(s);
    out.server = builder.BuildAndStart();
    if (!out.server || out.port == 0) return fail(errc::io_error, "cannot listen on " + o.listen);
    return out;
}

} // namespace detail

} // namespace sealpipe::net

#endif // SEALPIPE_NET_OPTIONS_HPP
