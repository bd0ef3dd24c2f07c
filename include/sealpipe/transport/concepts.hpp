// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The `Transport` concept: how messages travel between the scheduler and its clients and
// workers, as bounded channels with deadlines and back-pressure (doc/concepts/transport.md).

#ifndef SEALPIPE_TRANSPORT_CONCEPTS_HPP
#define SEALPIPE_TRANSPORT_CONCEPTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace sealpipe::transport {

/// Deadlines of channel operations are on the monotonic clock.
using Deadline = std::chrono::steady_clock::time_point;

namespace detail {

/// Part of `Transport`: a channel of messages `M` with bounded capacity.
template <class C, class M>
concept BoundedChannel = requires(C& c, const C& cc, M m, Deadline d) {
    { c.send(std::move(m), d) } -> std::same_as<result<void>>;
    { c.try_send(std::move(m)) } -> std::same_as<result<void>>;
    { c.receive(d) } -> std::same_as<result<M>>;
    { c.try_receive() } -> std::same_as<result<M>>;
    c.close();
    { cc.capacity() } -> std::convertible_to<std::size_t>;
    { cc.size() } -> std::convertible_to<std::size_t>;
    { cc.closed() } -> std::convertible_to<bool>;
};

/// Part of `Transport`: a factory of shared channels.
template <class T, class M>
concept MakesChannels = requires(std::size_t capacity) {
    typename T::template Channel<M>;
    { T::template make_channel<M>(capacity) } -> std::same_as<std::shared_ptr<typename T::template Channel<M>>>;
};

} // namespace detail

/** A transport carries messages between the scheduler and its endpoints as bounded
    channels. With `T` a transport, `c` a `T::Channel<M>&`, `m` an `M` and `d` a `Deadline`:

    | expression | result | meaning |
    | --- | --- | --- |
    | `T::make_channel<M>(n)` | `shared_ptr<T::Channel<M>>` | a channel holding at most n messages |
    | `c.send(m, d)` | `result<void>` | waits for room until `d`; `errc::timed_out` (back-pressure) or `errc::cancelled` (closed) |
    | `c.try_send(m)` | `result<void>` | never waits: `errc::timed_out` when full |
    | `c.receive(d)` | `result<M>` | waits for a message until `d`; `errc::cancelled` once closed and drained |
    | `c.try_receive()` | `result<M>` | never waits |
    | `c.close()` | | wakes every waiter; later sends fail |
    | `c.capacity()`, `c.size()`, `c.closed()` | | |

    Checked here with `Bytes` messages; a transport must carry any movable message type. */
template <class T>
concept Transport = detail::MakesChannels<T, Bytes> && detail::BoundedChannel<typename T::template Channel<Bytes>, Bytes>;

namespace detail {

template <class...>
inline constexpr bool always_false_v = false;

/// A channel that carries nothing: what stands in for a rejected transport's channels.
template <class M>
struct InertChannel {
    result<void> send(M, Deadline) { return fail(errc::cancelled, "not a transport"); }
    result<void> try_send(M) { return fail(errc::cancelled, "not a transport"); }
    result<M> receive(Deadline) { return fail(errc::cancelled, "not a transport"); }
    result<M> try_receive() { return fail(errc::cancelled, "not a transport"); }
    void close() {}
    std::size_t capacity() const { return 0; }
    std::size_t size() const { return 0; }
    bool closed() const { return true; }
};

/// A transport that carries nothing, standing in for a rejected one once that is reported.
struct InertTransport {
    template <class M>
    using Channel = InertChannel<M>;
    template <class M>
    static std::shared_ptr<Channel<M>> make_channel(std::size_t) {
        return std::make_shared<Channel<M>>();
    }
};

} // namespace detail

/** Asserts the first part of `Transport` that `T` lacks (one diagnostic per mistake); true
    when `T` is a `Transport`. Class templates parameterised on a transport call it in a
    `static_assert`-free context and go on with `checked_t<T>`. */
template <class T>
constexpr bool check_transport() {
    if constexpr (Transport<T>) {
        return true;
    } else if constexpr (!detail::MakesChannels<T, Bytes>) {
        static_assert(detail::always_false_v<T>,
                      "sealpipe: a Transport policy needs a member template Channel<M> and a static "
                      "make_channel<M>(std::size_t capacity) returning std::shared_ptr<Channel<M>> (doc/concepts/transport.md)");
        return false;
    } else {
        static_assert(detail::always_false_v<T>,
                      "sealpipe: a Transport policy's Channel<M> needs send(M, Deadline), try_send(M), "
                      "receive(Deadline), try_receive() (each returning result), close(), capacity(), size() and "
                      "closed() (doc/concepts/transport.md)");
        return false;
    }
}

/// `T` when it models `Transport`, else an inert transport, so that a class template that has
/// reported the mistake (`check_transport`) compiles on without a cascade of further errors.
template <class T>
using checked_t = std::conditional_t<Transport<T>, T, detail::InertTransport>;

} // namespace sealpipe::transport

#endif // SEALPIPE_TRANSPORT_CONCEPTS_HPP
