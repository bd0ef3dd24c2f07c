// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A consumer of the installed grpc component: serves a scheduler on a loopback port and
// stops it.
#include <sealpipe/net.hpp>

#include <cstdio>

int main() {
    sealpipe::net::SchedulerServer server;
    if (!server.start(sealpipe::net::ServerOptions{}).has_value()) return 1;
    const bool ok = server.port() > 0 && sealpipe::net::parse_url("grpc://127.0.0.1:1").has_value();
    server.shutdown();
    std::printf("sealpipe grpc: %s\n", ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
