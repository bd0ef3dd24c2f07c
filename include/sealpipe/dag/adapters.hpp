// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Adapters from the encoding and storage areas to the DAG policies: `PipelineCodec` makes an
// encoder pipeline an `ObjectCodec`, `StoreAdapter` makes a store an `ObjectStore`.

#ifndef SEALPIPE_DAG_ADAPTERS_HPP
#define SEALPIPE_DAG_ADAPTERS_HPP

#include <sealpipe/dag/concepts.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/storage/key.hpp>

#include <type_traits>

namespace sealpipe::dag {

namespace detail {
template <class P>
consteval bool keyed_at_compile_time() {
    if constexpr (requires { P::mode; }) return P::mode == encoding::Mode::keyed;
    else return false;
}
} // namespace detail

/** An encoder pipeline used as a DAG's `ObjectCodec`: a typed `encoding::BasicPipeline` in
    deterministic (deduplicating) or randomized mode, or an `encoding::AnyPipeline`.
    Keyed pipelines are refused: in a DAG, every object's parameters come from encoding it. */
template <class Pipeline>
class PipelineCodec {
    static_assert(!detail::keyed_at_compile_time<Pipeline>(),
                  "sealpipe: a DAG needs a deterministic or randomized pipeline; keyed mode takes "
                  "caller-chosen parameters per object (doc/dag.md)");

public:
    explicit PipelineCodec(Pipeline& pipeline) : p_(&pipeline) {}

    [[nodiscard]] result<Encoded> encode(ByteView in) {
        auto e = p_->encode(in);
        if (!e) return e.error();
        return Encoded{std::move(e->data), to_bytes(ByteView(e->parameters))};
    }
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max) {
        return p_->decode(in, parameters, max);
    }
    [[nodiscard]] std::size_t parameters_size() const {
        if constexpr (requires { Pipeline::decoding_parameters_bytes; }) return Pipeline::decoding_parameters_bytes;
        else return p_->decoding_parameters_bytes();
    }

private:
    Pipeline* p_;
};

/** A store used as a DAG's `ObjectStore`: any `storage::BasicStore` (which verifies objects
    on write and read) or other type with `put(storage::Key, ByteView)` and
    `get(storage::Key)`. */
template <class Store>
class StoreAdapter {
public:
    explicit StoreAdapter(Store& store) : s_(&store) {}

    [[nodiscard]] result<void> put(const object::Reference& ref, ByteView data) {
        return s_->put(storage::Key(ref.array()), data);
    }
    [[nodiscard]] result<Bytes> get(const object::Reference& ref) { return s_->get(storage::Key(ref.array())); }

private:
    Store* s_;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_ADAPTERS_HPP
