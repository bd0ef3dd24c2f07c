// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: what the served scheduler reads from the network. The input is a sequence of
// records, [kind][length: 2 bytes, big-endian][payload], each one gRPC message a peer sends:
//   0  a SynchronizeRequest from any worker;
//   1  an ExecuteRequest (its action is submitted);
//   2  a WaitExecutionRequest (attached by name);
//   3  a CurrentState reported by a worker that holds its platform key (it answers the
//      scheduler's challenge with real proofs, so the report reaches the task logic);
//   4  the clock moves on by payload[0] seconds, and the scheduler applies its deadlines;
//   5  a client submits a genuine action for the worker of record 3 (priority payload[0]).
// A report of record 3 with an empty task_uuid names the task the worker was last given.
// Messages go through the same translation as the services (net/detail/queue_messages.hpp)
// into one scheduler; nothing may crash, and every directive must serialise.

#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/scheduler.hpp>
#include <sealpipe/net/detail/convert.hpp>
#include <sealpipe/net/detail/queue_messages.hpp>
#include <sealpipe/net/scheduler_server.hpp>

#include "support/parties.hpp"

#include <google/protobuf/stubs/logging.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>

namespace {

using namespace sealpipe;
namespace rw = ::bonanza::remoteworker;
namespace rx = ::bonanza::remoteexecution;

/// The worker of record 3 and its genuine action (record 5).
struct Honest {
    fuzz::Parties parties;
    std::vector<Bytes> zeros = std::vector<Bytes>(parties.keys.size());
    std::string task;   // the task it was last given

    rw::SynchronizeRequest request(const rw::CurrentState& state) const {
        rw::SynchronizeRequest r;
        (*r.mutable_worker_id())["name"] = "honest";
        for (std::size_t i = 0; i < parties.keys.size(); ++i) {
            auto* k = r.add_public_keys();
            k->set_pkix_public_key(parties.keys[i].data(), parties.keys[i].size());
            k->set_verification_zeros(zeros[i].data(), zeros[i].size());
        }
        *r.mutable_current_state() = state;
        return r;
    }
};

const Honest& honest() {
    static const Honest h;
    return h;
}

void check(const result<execution::WorkerDirective>& d) {
    if (!d) return;
    rw::SynchronizeResponse response;
    net::detail::synchronize_response(*d, response);
    (void)net::detail::serialize(response);
}

} // namespace

// libprotobuf logs every string field that is not UTF-8; the fuzzer sends many.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
    ::google::protobuf::SetLogHandler(nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto now = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{} +
                                                                      std::chrono::hours(24));
    execution::SchedulerOptions options = net::bonanza_scheduler_options();
    options.max_attempts = 2;
    execution::Scheduler<transport::InProcess> scheduler(options, [now] { return *now; });
    std::deque<execution::Scheduler<transport::InProcess>::Subscription> subscriptions;
    Honest self = honest();   // its proofs are per scheduler

    auto sync = [&](execution::WorkerSync q) {
        q.wait_until = std::chrono::steady_clock::now();   // never hold the call
        auto d = scheduler.synchronize_worker(std::move(q));
        check(d);
        return d;
    };
    std::size_t at = 0;
    while (size - at >= 3) {
        const std::uint8_t kind = data[at] % 6;
        const std::size_t length = std::min<std::size_t>((std::size_t{data[at + 1]} << 8) | data[at + 2], size - at - 3);
        const std::uint8_t* payload = data + at + 3;
        at += 3 + length;
        const int n = static_cast<int>(length);
        switch (kind) {
        case 0: {
            rw::SynchronizeRequest r;
            if (r.ParseFromArray(payload, n)) (void)sync(net::detail::worker_sync(r));
            break;
        }
        case 1: {
            rx::ExecuteRequest r;
            if (!r.ParseFromArray(payload, n) || !r.has_action()) break;
            auto s = scheduler.submit(net::detail::serialize(r.action()), r.priority());
            if (s) {
                subscriptions.push_back(std::move(*s));
                if (subscriptions.size() > 8) subscriptions.pop_front();   // a client going away
            }
            break;
        }
        case 2: {
            rx::WaitExecutionRequest r;
            if (!r.ParseFromArray(payload, n)) break;
            auto s = scheduler.attach(r.name());
            if (s) subscriptions.push_back(std::move(*s));
            if (subscriptions.size() > 8) subscriptions.pop_front();
            break;
        }
        case 3: {
            rw::CurrentState state;
            if (!state.ParseFromArray(payload, n)) break;
            if (state.has_executing() && state.executing().task_uuid().empty())
                state.mutable_executing()->set_task_uuid(self.task);
            if (state.has_completed() && state.completed().task_uuid().empty())
                state.mutable_completed()->set_task_uuid(self.task);
            if (state.has_rejected() && state.rejected().task_uuid().empty())
                state.mutable_rejected()->set_task_uuid(self.task);
            auto d = sync(net::detail::worker_sync(self.request(state)));
            if (d && d->kind == execution::WorkerDirective::Kind::verify) {
                rw::SynchronizeResponse response;
                net::detail::synchronize_response(*d, response);
                auto z = net::detail::prove(self.parties.worker, self.parties.keys, response.desired_state().verifying_public_keys());
                if (!z) std::abort();   // the scheduler's own challenge must be answerable
                self.zeros = std::move(*z);
                d = sync(net::detail::worker_sync(self.request(state)));
            }
            if (d && d->kind == execution::WorkerDirective::Kind::execute) self.task = d->task_uuid;
            break;
        }
        case 4:
            *now += std::chrono::seconds(length ? payload[0] : 1);
            scheduler.tick();
            break;
        case 5: {
            auto s = scheduler.submit(self.parties.action.bytes(), length ? payload[0] : 0);
            if (!s && s.error() == errc::unknown_platform_key) break;   // its worker has not proven its key yet
            if (!s) {   // otherwise a genuine action is accepted
                std::fprintf(stderr, "genuine action refused: %s\n", s.error().message().c_str());
                std::abort();
            }
            subscriptions.push_back(std::move(*s));
            if (subscriptions.size() > 8) subscriptions.pop_front();
            break;
        }
        }
        for (auto& s : subscriptions)
            while (s.try_next()) {}
    }
    return 0;
}
