// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: what a client and a worker read from a scheduler they do not trust. The first
// byte chooses the reader; the rest is a sequence of [length: 2 bytes, big-endian][message]:
//   even  ExecuteResponse messages, one stream, read by a client for an action it sealed;
//   odd   SynchronizeResponse messages read by a worker: a challenge is answered with proofs,
//         an action is opened, timestamps and durations are converted.
// Nothing may crash; an event may only be accepted if it authenticates.

#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/net/detail/convert.hpp>
#include <sealpipe/net/detail/execute_stream.hpp>
#include <sealpipe/net/detail/queue_messages.hpp>

#include "support/parties.hpp"

#include <google/protobuf/stubs/logging.h>

#include <chrono>
#include <cstdlib>

namespace {

using namespace sealpipe;
namespace rw = ::bonanza::remoteworker;
namespace rx = ::bonanza::remoteexecution;

const fuzz::Parties& parties() {
    static const fuzz::Parties p;
    return p;
}

} // namespace

// libprotobuf logs every string field that is not UTF-8; the fuzzer sends many.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
    ::google::protobuf::SetLogHandler(nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const fuzz::Parties& p = parties();
    const bool client = data[0] % 2 == 0;
    net::detail::ExecuteStream stream;
    std::size_t at = 1;
    while (size - at >= 2) {
        const std::size_t length = std::min<std::size_t>((std::size_t{data[at]} << 8) | data[at + 1], size - at - 2);
        const std::uint8_t* message = data + at + 2;
        at += 2 + length;
        const int n = static_cast<int>(length);
        if (client) {
            rx::ExecuteResponse r;
            if (!r.ParseFromArray(message, n)) continue;
            auto e = stream.feed(r, p.action);
            // No worker of this action exists: nothing a scheduler invents may authenticate.
            if (e && e->has_value()) std::abort();
            if (stream.completed()) break;
        } else {
            rw::SynchronizeResponse r;
            if (!r.ParseFromArray(message, n)) continue;
            if (r.has_next_synchronization_at()) (void)net::detail::time_point(r.next_synchronization_at());
            const auto& d = r.desired_state();
            if (d.has_verifying_public_keys()) (void)net::detail::prove(p.worker, p.keys, d.verifying_public_keys());
            if (d.has_executing()) {
                const auto& x = d.executing();
                if (x.has_effective_execution_timeout()) (void)net::detail::nanoseconds(x.effective_execution_timeout());
                if (x.has_queued_timestamp()) (void)net::detail::time_point(x.queued_timestamp());
                (void)p.worker.open(net::detail::serialize(x.action()), std::chrono::system_clock::now());
            }
        }
    }
    return 0;
}
