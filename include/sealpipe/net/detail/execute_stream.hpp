// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// What a client makes of each `ExecuteResponse` the scheduler streams: kept apart from the
// stream itself so that every message a scheduler can send is fuzzed without a network
// (fuzz/grpc_peer.cpp).

#ifndef SEALPIPE_NET_DETAIL_EXECUTE_STREAM_HPP
#define SEALPIPE_NET_DETAIL_EXECUTE_STREAM_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/endpoints.hpp>
#include <sealpipe/net/detail/convert.hpp>

#include <bonanza/remoteexecution/remoteexecution.pb.h>

#include <optional>
#include <string>
#include <utility>

namespace sealpipe::net::detail {

/// The client's reading of one Execute (or WaitExecution) stream.
class ExecuteStream {
public:
    /** Reads one message. Returns nothing when it brings no new event (a queued stage, a
        keepalive repeating the latest event); otherwise the opened event, or why it cannot
        be opened. After a completion, `completed()` is true.
        @par Errors `errc::authentication_failed` (an event that is not from a worker of this
        action, or altered), `errc::malformed_input` (a completion without an event). */
    std::optional<result<execution::OpenedEvent>> feed(const ::bonanza::remoteexecution::ExecuteResponse& r,
                                                       const execution::PendingAction& action) {
        using Stage = ::bonanza::remoteexecution::ExecuteResponse;
        if (!r.name().empty()) name_ = r.name();
        switch (r.stage_case()) {
        case Stage::kQueued: running_ = false; return std::nullopt;
        case Stage::kExecuting: {
            running_ = true;
            if (!r.executing().has_last_event()) return std::nullopt;
            Bytes event = serialize(r.executing().last_event());
            if (event == last_event_) return std::nullopt;   // a keepalive repeats the latest event
            last_event_ = event;
            auto p = action.open_execution_event(event);
            if (!p) return result<execution::OpenedEvent>(std::move(p).error().context("execution event"));
            return result<execution::OpenedEvent>(execution::OpenedEvent{false, std::move(*p)});
        }
        case Stage::kCompleted: {
            completed_ = true;
            if (!r.completed().has_completion_event())
                return result<execution::OpenedEvent>(
                    fail(errc::malformed_input, "the action completed without a completion event"));
            auto p = action.open_completion_event(serialize(r.completed().completion_event()));
            if (!p) return result<execution::OpenedEvent>(std::move(p).error().context("completion event"));
            return result<execution::OpenedEvent>(execution::OpenedEvent{true, std::move(*p)});
        }
        case Stage::STAGE_NOT_SET: return std::nullopt;
        }
        return std::nullopt;
    }

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] bool running() const noexcept { return running_; }
    [[nodiscard]] bool completed() const noexcept { return completed_; }

private:
    std::string name_;
    Bytes last_event_;
    bool running_ = false, completed_ = false;
};

} // namespace sealpipe::net::detail

#endif // SEALPIPE_NET_DETAIL_EXECUTE_STREAM_HPP
