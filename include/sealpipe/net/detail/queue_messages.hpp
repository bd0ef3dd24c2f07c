// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The OperationQueue messages translated to and from the scheduler's own types, in both
// directions. Kept apart from the services so that the translation of every field a peer sends
// can be fuzzed without a network (fuzz/grpc_scheduler.cpp, fuzz/grpc_peer.cpp).

#ifndef SEALPIPE_NET_DETAIL_QUEUE_MESSAGES_HPP
#define SEALPIPE_NET_DETAIL_QUEUE_MESSAGES_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/execution/scheduler.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/net/detail/convert.hpp>

#include <bonanza/remoteworker/remoteworker.pb.h>

#include <string>
#include <utility>
#include <vector>

namespace sealpipe::net::detail {

/// A worker's `SynchronizeRequest` as the scheduler reads it (without the call's deadline).
inline execution::WorkerSync worker_sync(const ::bonanza::remoteworker::SynchronizeRequest& request) {
    using Current = ::bonanza::remoteworker::CurrentState;
    execution::WorkerSync q;
    q.worker = worker_name(request.worker_id());
    for (const auto& k : request.public_keys()) {
        q.platform_keys.emplace_back(k.pkix_public_key().begin(), k.pkix_public_key().end());
        q.verification_zeros.emplace_back(k.verification_zeros().begin(), k.verification_zeros().end());
    }
    q.prefer_being_idle = request.prefer_being_idle();
    if (!request.has_current_state()) return q;
    const Current& c = request.current_state();
    execution::WorkerReport r;
    switch (c.worker_state_case()) {
    case Current::kIdle: r.kind = execution::WorkerReport::Kind::idle; break;
    case Current::kRejected:
        r.kind = execution::WorkerReport::Kind::rejected;
        r.task_uuid = c.rejected().task_uuid();
        r.reason.code = static_cast<execution::StatusCode>(c.rejected().reason().code());
        r.reason.message = c.rejected().reason().message();
        break;
    case Current::kExecuting:
        r.kind = execution::WorkerReport::Kind::executing;
        r.task_uuid = c.executing().task_uuid();
        if (c.executing().has_event()) r.event = serialize(c.executing().event());
        break;
    case Current::kCompleted:
        r.kind = execution::WorkerReport::Kind::completed;
        r.task_uuid = c.completed().task_uuid();
        if (c.completed().has_event()) r.event = serialize(c.completed().event());
        break;
    case Current::WORKER_STATE_NOT_SET: return q;
    }
    q.report = std::move(r);
    return q;
}

/// The scheduler's directive as a `SynchronizeResponse`.
inline void synchronize_response(const execution::WorkerDirective& d,
                                 ::bonanza::remoteworker::SynchronizeResponse& response) {
    *response.mutable_next_synchronization_at() = timestamp(d.next_synchronization_at);
    using Kind = execution::WorkerDirective::Kind;
    switch (d.kind) {
    case Kind::carry_on: break;
    case Kind::verify: {
        auto* v = response.mutable_desired_state()->mutable_verifying_public_keys();
        for (const Bytes& k : d.verification_keys) v->add_verification_pkix_public_keys(k.data(), k.size());
        break;
    }
    case Kind::idle: response.mutable_desired_state()->mutable_idle(); break;
    case Kind::execute: {
        auto* e = response.mutable_desired_state()->mutable_executing();
        e->set_task_uuid(d.task_uuid);
        parse(d.action, *e->mutable_action());
        *e->mutable_effective_execution_timeout() = duration(d.effective_timeout);
        *e->mutable_queued_timestamp() = timestamp(d.queued_at);
        break;
    }
    }
}

/** The worker's verification zeros: for each of its own keys (PKIX DER), a proof against the
    scheduler's verification key of the same curve, or empty when the scheduler sent none.
    @par Errors those of `AnyPublicKey::from_der` (a key the scheduler sent that does not
    parse), those of `Worker::prove_possession`. */
inline result<std::vector<Bytes>> prove(const execution::Worker& worker, const std::vector<Bytes>& keys,
                                        const ::bonanza::remoteworker::DesiredState::VerifyingPublicKeys& v) {
    std::vector<keys::AnyPublicKey> theirs;
    for (const std::string& der : v.verification_pkix_public_keys()) {
        auto k = keys::AnyPublicKey::from_der(as_bytes(der));
        if (!k) return std::move(k).error().context("the scheduler's verification key");
        theirs.push_back(std::move(*k));
    }
    std::vector<Bytes> out;
    for (const Bytes& mine : keys) {
        auto me = keys::AnyPublicKey::from_der(mine);
        if (!me) return me.error();
        Bytes z;
        for (const auto& t : theirs) {
            if (t.type_name() != me->type_name()) continue;
            auto p = worker.prove_possession(mine, t);
            if (!p) return p.error();
            z = to_bytes(p->view());
            break;
        }
        out.push_back(std::move(z));   // none of this curve: left empty
    }
    return out;
}

} // namespace sealpipe::net::detail

#endif // SEALPIPE_NET_DETAIL_QUEUE_MESSAGES_HPP
