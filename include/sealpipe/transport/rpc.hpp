// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Request and response over any `Transport`: `Service` answers the calls it receives on a
// bounded inbox, `Caller` sends one call and waits for its own reply.

#ifndef SEALPIPE_TRANSPORT_RPC_HPP
#define SEALPIPE_TRANSPORT_RPC_HPP

#include <sealpipe/error.hpp>
#include <sealpipe/transport/concepts.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace sealpipe::transport {

/// The answer to a call. (Not itself a `result`, and constructible only from one, so that
/// a channel's `result<Answer>` is never ambiguous with the answer's own error.)
template <class Response>
struct Answer {
    template <class R>
        requires std::same_as<std::remove_cvref_t<R>, result<Response>>
    explicit Answer(R&& r) : value(std::forward<R>(r)) {}
    result<Response> value;
};

/// A request and the channel its reply goes to (a fresh channel per call, so that a reply
/// that arrives after its caller gave up reaches nobody else).
template <Transport T, class Request, class Response>
struct Call {
    using ReplyChannel = typename T::template Channel<Answer<Response>>;
    Request request;
    std::shared_ptr<ReplyChannel> reply;
};

/** The calling side of a `Service`: cheap to copy, safe to use from several threads (each
    call has its own reply channel). */
template <Transport T, class Request, class Response>
class Caller {
public:
    using CallType = Call<T, Request, Response>;
    using Inbox = typename T::template Channel<CallType>;

    explicit Caller(std::shared_ptr<Inbox> inbox) noexcept : inbox_(std::move(inbox)) {}

    /** Sends `request` and waits for the reply, both until `deadline`.
        @par Errors `errc::timed_out` (the service's inbox stayed full, which is its
        back-pressure, or no reply came in time), `errc::cancelled` (the service shut down),
        or the error the service answered with. */
    [[nodiscard]] result<Response> call(Request request, Deadline deadline) const {
        auto reply = T::template make_channel<Answer<Response>>(1);
        if (auto sent = inbox_->send(CallType{std::move(request), reply}, deadline); !sent)
            return std::move(sent).error().context("request not delivered");
        auto answer = reply->receive(deadline);
        if (!answer) {
            reply->close();   // a late reply is dropped with the channel
            return std::move(answer).error().context("no reply");
        }
        return std::move(answer->value);
    }

private:
    std::shared_ptr<Inbox> inbox_;
};

/** The serving side: a bounded inbox of calls and a loop answering them with a handler
    `result<Response>(Request&&)`. Calls are answered in arrival order, one at a time. */
template <Transport T, class Request, class Response>
class Service {
public:
    using CallType = Call<T, Request, Response>;
    using Inbox = typename T::template Channel<CallType>;

    /// A service whose inbox holds at most `capacity` calls.
    explicit Service(std::size_t capacity) : inbox_(T::template make_channel<CallType>(capacity)) {}

    /// A caller of this service.
    [[nodiscard]] Caller<T, Request, Response> caller() const noexcept { return Caller<T, Request, Response>(inbox_); }

    /** Answers calls until `deadline`, or until the service is closed and its inbox drained.
        Returns `true` when it stopped because of the deadline, `false` once closed. */
    template <class Handler>
        requires std::is_invocable_r_v<result<Response>, Handler&, Request&&>
    bool serve_until(Handler& handler, Deadline deadline) {
        for (;;) {
            auto call = inbox_->receive(deadline);
            if (!call) return call.error() == errc::timed_out;
            // The caller may have given up (its reply channel is closed): the answer is dropped.
            (void)call->reply->try_send(Answer<Response>{handler(std::move(call->request))});
        }
    }

    /// Refuses further calls; those queued are still answered by `serve_until`.
    void close() { inbox_->close(); }
    [[nodiscard]] bool closed() const { return inbox_->closed(); }

private:
    std::shared_ptr<Inbox> inbox_;
};

} // namespace sealpipe::transport

#endif // SEALPIPE_TRANSPORT_RPC_HPP
