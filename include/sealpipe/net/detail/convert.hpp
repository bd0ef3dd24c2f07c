// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Between the generated protobuf messages of Bonanza's services and sealpipe's own types:
// times, durations, statuses, worker ids, and the encrypted messages, which cross from
// libprotobuf to sealpipe's strict codec as bytes (doc/execution.md, "Two codecs").

#ifndef SEALPIPE_NET_DETAIL_CONVERT_HPP
#define SEALPIPE_NET_DETAIL_CONVERT_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/scheduler.hpp>

#include <bonanza/remoteexecution/remoteexecution.grpc.pb.h>
#include <bonanza/remoteworker/remoteworker.grpc.pb.h>
#include <boost/json.hpp>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/timestamp.pb.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace sealpipe::net::detail {

/// A message's deterministic encoding (libprotobuf; fields in number order, maps sorted).
inline Bytes serialize(const ::google::protobuf::MessageLite& m) {
    std::string s;
    {
        ::google::protobuf::io::StringOutputStream out(&s);
        ::google::protobuf::io::CodedOutputStream coded(&out);
        coded.SetSerializationDeterministic(true);
        m.SerializeToCodedStream(&coded);
    }
    return Bytes(s.begin(), s.end());
}

/// Parses `bytes` into `m` (the strict codec's bytes into a generated message).
template <class M>
bool parse(ByteView bytes, M& m) {
    return m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

inline ::google::protobuf::Timestamp timestamp(std::chrono::system_clock::time_point t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    ::google::protobuf::Timestamp ts;
    std::int64_t s = ns / 1'000'000'000;
    std::int64_t n = ns % 1'000'000'000;
    if (n < 0) {
        n += 1'000'000'000;
        --s;
    }
    ts.set_seconds(s);
    ts.set_nanos(static_cast<std::int32_t>(n));
    return ts;
}

/// A Timestamp as a time point, saturating beyond what the clock holds (a peer may send any
/// value).
inline std::chrono::system_clock::time_point time_point(const ::google::protobuf::Timestamp& ts) {
    using Clock = std::chrono::system_clock;
    constexpr std::int64_t limit = INT64_MAX / 1'000'000'000 - 1;   // whole seconds nanoseconds can hold
    if (ts.seconds() > limit) return Clock::time_point::max();
    if (ts.seconds() < -limit) return Clock::time_point::min();
    return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(ts.seconds()) +
                                                                         std::chrono::nanoseconds(ts.nanos())));
}

inline ::google::protobuf::Duration duration(std::chrono::nanoseconds d) {
    ::google::protobuf::Duration out;
    out.set_seconds(d.count() / 1'000'000'000);
    out.set_nanos(static_cast<std::int32_t>(d.count() % 1'000'000'000));
    return out;
}

/// A Duration as nanoseconds, saturating beyond what they hold.
inline std::chrono::nanoseconds nanoseconds(const ::google::protobuf::Duration& d) {
    constexpr std::int64_t limit = INT64_MAX / 1'000'000'000 - 1;
    if (d.seconds() > limit) return std::chrono::nanoseconds::max();
    if (d.seconds() < -limit) return std::chrono::nanoseconds::min();
    return std::chrono::seconds(d.seconds()) + std::chrono::nanoseconds(d.nanos());
}

/// The scheduler's name for a worker: its worker_id map as compact JSON, keys sorted.
template <class Map>
std::string worker_name(const Map& id) {
    std::map<std::string, std::string> sorted(id.begin(), id.end());
    boost::json::object o;
    for (const auto& [k, v] : sorted) o[k] = v;
    return boost::json::serialize(o);
}

/// The gRPC status of a scheduler error (doc/execution.md, "Status codes").
inline ::grpc::Status to_status(const Error& e) {
    ::grpc::StatusCode code = ::grpc::INTERNAL;
    if (e == errc::malformed_input || e == errc::invalid_argument || e == errc::size_limit_exceeded ||
        e == errc::invalid_length || e == errc::invalid_key)
        code = ::grpc::INVALID_ARGUMENT;
    else if (e == errc::unknown_platform_key) code = ::grpc::FAILED_PRECONDITION;
    else if (e == errc::backend_unavailable) code = ::grpc::UNAVAILABLE;
    else if (e == errc::timed_out || e == errc::conflict) code = ::grpc::RESOURCE_EXHAUSTED;
    else if (e == errc::object_not_found) code = ::grpc::NOT_FOUND;
    else if (e == errc::cancelled) code = ::grpc::CANCELLED;
    return ::grpc::Status(code, e.message());
}

inline ::grpc::Status to_status(const execution::Status& s) {
    return ::grpc::Status(static_cast<::grpc::StatusCode>(s.code), s.message);
}

} // namespace sealpipe::net::detail

#endif // SEALPIPE_NET_DETAIL_CONVERT_HPP
