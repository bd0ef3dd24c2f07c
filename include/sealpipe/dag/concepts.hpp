// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The two policies an encrypted DAG is written through: an `ObjectCodec` (an encoder pipeline in
// deterministic or randomized mode) and an `ObjectStore` (a store); doc/concepts/dag.md.

#ifndef SEALPIPE_DAG_CONCEPTS_HPP
#define SEALPIPE_DAG_CONCEPTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/object/reference.hpp>

#include <concepts>
#include <cstddef>
#include <type_traits>

namespace sealpipe::dag {

namespace detail {

template <class R>
struct is_encode_result : std::false_type {};
template <class P>
struct is_encode_result<result<encoding::Encoded<P>>> : std::bool_constant<std::is_convertible_v<const P&, ByteView>> {};

template <class C>
concept HasEncode = requires(C& c, ByteView in) {
    requires is_encode_result<decltype(c.encode(in))>::value;
};
template <class C>
concept HasDecode = requires(C& c, ByteView in, ByteView params, std::size_t max) {
    { c.decode(in, params, max) } -> std::same_as<result<SecureBytes>>;
};
template <class C>
concept HasParametersSize = requires(const C& c) {
    { C::decoding_parameters_bytes } -> std::convertible_to<std::size_t>;
} || requires(const C& c) {
    { c.decoding_parameters_bytes() } -> std::convertible_to<std::size_t>;
};
template <class C>
consteval bool keyed_at_compile_time() {
    if constexpr (requires { C::mode; }) return C::mode == encoding::Mode::keyed;
    else return false;
}

template <class...>
inline constexpr bool always_false_v = false;

} // namespace detail

/** Turns an object's plaintext payload into stored bytes and back. Every encoder pipeline
    models it: `encoding::BasicPipeline` in deterministic or randomized mode, and
    `encoding::AnyPipeline`.
    | expression | meaning |
    | --- | --- |
    | `c.encode(in)` | `result<encoding::Encoded<P>>`: stored bytes and decoding parameters (`P` views as bytes); the same input must give the same output (deterministic) for the DAG to deduplicate |
    | `c.decode(data, params, max)` | `result<SecureBytes>`: the plaintext, or an error; never more than `max` bytes |
    | `C::decoding_parameters_bytes` or `c.decoding_parameters_bytes()` | the length of every decoding-parameters value (0 when nothing is kept) |
    */
template <class C>
concept ObjectCodec = detail::HasEncode<C> && detail::HasDecode<C> && detail::HasParametersSize<C>;

/// The decoding-parameters size of `codec`, whether its type or its value knows it.
template <ObjectCodec C>
[[nodiscard]] constexpr std::size_t parameters_size(const C& codec) noexcept {
    if constexpr (requires { C::decoding_parameters_bytes; }) return C::decoding_parameters_bytes;
    else return codec.decoding_parameters_bytes();
}

/** Where objects are kept. Every `storage::BasicStore` models it, and so does a
    `storage::WriteSession` (which batches writes and checks them on `commit()`).
    | expression | meaning |
    | --- | --- |
    | `s.put(ref, data)` | `result<void>`; storing an object twice is fine |
    | `s.get(ref)` | `result<Bytes>`: the stored data (verified by the reader again), `errc::object_not_found` if absent |
    | `s.commit()` (optional) | `result<void>`: everything put so far is durable; `dag::Writer::commit` calls it |
    */
template <class S>
concept ObjectStore = requires(S& s, const object::Reference& ref, ByteView data) {
    { s.put(ref, data) } -> std::same_as<result<void>>;
    { s.get(ref) } -> std::same_as<result<Bytes>>;
};

/** Asserts, with one sentence, the first thing wrong with a DAG's policies; true when `Codec`
    is an `ObjectCodec` in deterministic or randomized mode and `Store` an `ObjectStore`. */
template <class Codec, class Store>
constexpr bool check_policies() {
    if constexpr (detail::keyed_at_compile_time<Codec>()) {
        static_assert(detail::always_false_v<Codec>,
                      "sealpipe: a DAG needs a deterministic or randomized pipeline; keyed mode takes "
                      "caller-chosen parameters per object (doc/dag.md)");
        return false;
    } else if constexpr (!ObjectCodec<Codec>) {
        static_assert(detail::always_false_v<Codec>,
                      "sealpipe: a DAG's codec must be an encoder pipeline (an ObjectCodec: encode(ByteView) -> "
                      "result<encoding::Encoded<P>>, decode(ByteView, ByteView, size_t) -> result<SecureBytes>, "
                      "decoding_parameters_bytes); see doc/concepts/dag.md");
        return false;
    } else if constexpr (!ObjectStore<Store>) {
        static_assert(detail::always_false_v<Store>,
                      "sealpipe: a DAG's store must be an ObjectStore (put(object::Reference, ByteView) -> "
                      "result<void>, get(object::Reference) -> result<Bytes>), such as storage::BasicStore; "
                      "see doc/concepts/dag.md");
        return false;
    } else {
        return true;
    }
}

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_CONCEPTS_HPP
