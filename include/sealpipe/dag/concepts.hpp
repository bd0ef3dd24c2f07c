// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The two policies an encrypted DAG is written through: an `ObjectCodec` (an encoder chain in
// deterministic or randomized mode) and an `ObjectStore` (any store); doc/concepts/dag.md.

#ifndef SEALPIPE_DAG_CONCEPTS_HPP
#define SEALPIPE_DAG_CONCEPTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/object/reference.hpp>

#include <concepts>
#include <cstddef>

namespace sealpipe::dag {

/// What encoding one payload yields: the bytes to store and the decoding parameters.
struct Encoded {
    Bytes data;
    Bytes parameters;
};

namespace detail {

template <class C>
concept HasEncode = requires(C& c, ByteView in) {
    { c.encode(in) } -> std::same_as<result<Encoded>>;
};
template <class C>
concept HasDecode = requires(C& c, ByteView in, ByteView params, std::size_t max) {
    { c.decode(in, params, max) } -> std::same_as<result<SecureBytes>>;
};
template <class C>
concept HasParametersSize = requires(const C& c) {
    { c.parameters_size() } -> std::convertible_to<std::size_t>;
};

} // namespace detail

/** Turns an object's plaintext payload into stored bytes and back.
    | expression | meaning |
    | --- | --- |
    | `c.encode(in)` | `result<Encoded>`: stored bytes and decoding parameters; the same input must give the same output (deterministic) for the DAG to deduplicate |
    | `c.decode(data, params, max)` | `result<SecureBytes>`: the plaintext, or an error; never more than `max` bytes |
    | `c.parameters_size()` | the length of every decoding-parameters value (0 when nothing is kept) |
    Models: encoder pipelines through `dag::PipelineCodec` (dag/adapters.hpp). */
template <class C>
concept ObjectCodec = detail::HasEncode<C> && detail::HasDecode<C> && detail::HasParametersSize<C>;

/** Where objects are kept.
    | expression | meaning |
    | --- | --- |
    | `s.put(ref, data)` | `result<void>`; storing an object twice is fine |
    | `s.get(ref)` | `result<Bytes>`: the stored data (verified by the reader again), `error::object_not_found` if absent |
    Models: storage stores through `dag::StoreAdapter` (dag/adapters.hpp). */
template <class S>
concept ObjectStore = requires(S& s, const object::Reference& ref, ByteView data) {
    { s.put(ref, data) } -> std::same_as<result<void>>;
    { s.get(ref) } -> std::same_as<result<Bytes>>;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_CONCEPTS_HPP
