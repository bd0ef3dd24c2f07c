// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Writing and reading encrypted DAG nodes: each child's decoding parameters travel inside the
// parent's encoded (encrypted) payload, never next to the plaintext references.

#ifndef SEALPIPE_DAG_NODE_HPP
#define SEALPIPE_DAG_NODE_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/dag/concepts.hpp>
#include <sealpipe/dag/link.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/object/contents.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace sealpipe::dag {

/** The children of a node being built, collected in any order and with repeats (a file may
    hold the same chunk twice). `links()` is the sorted, duplicate-free list an object needs;
    `index_of()` says where a given child ended up in it. */
class ChildSet {
public:
    /// Adds a child (repeats are kept once).
    void add(const Link& link) {
        sorted_ = false;
        links_.push_back(link);
    }
    /// The children in ascending reference order, without repeats.
    [[nodiscard]] std::span<const Link> links() {
        sort();
        return links_;
    }
    /// The position of `ref` in `links()`; `errc::invalid_argument` if it was never added.
    [[nodiscard]] result<std::size_t> index_of(const object::Reference& ref) {
        sort();
        auto it = std::lower_bound(links_.begin(), links_.end(), ref,
                                   [](const Link& l, const object::Reference& r) { return l.reference < r; });
        if (it == links_.end() || it->reference != ref)
            return fail(errc::invalid_argument, "dag: " + ref.to_string() + " is not a child of this node");
        return static_cast<std::size_t>(it - links_.begin());
    }
    [[nodiscard]] std::size_t size() {
        sort();
        return links_.size();
    }

private:
    void sort() {
        if (sorted_) return;
        std::sort(links_.begin(), links_.end(), [](const Link& a, const Link& b) { return a.reference < b.reference; });
        links_.erase(std::unique(links_.begin(), links_.end(),
                                 [](const Link& a, const Link& b) { return a.reference == b.reference; }),
                     links_.end());
        sorted_ = true;
    }
    std::vector<Link> links_;
    bool sorted_ = true;
};

/** Writes nodes bottom-up. A node's stored object is
    `children's references ‖ encode(children's decoding parameters ‖ body)`
    (doc/dag.md, "Node layout"): the references stay in plaintext for storage to walk, the
    parameters that decrypt the children are inside the encrypted payload. */
template <class Codec, class Store>
class Writer {
    static_assert((check_policies<Codec, Store>(), true));   // names the first thing wrong, in one sentence

public:
    /** Writes through `codec` (an encoder pipeline in deterministic or randomized mode) into `store`
        (a `storage::BasicStore`, a `storage::WriteSession`, any `ObjectStore`). Both must outlive
        the writer. */
    Writer(Codec& codec, Store& store) : codec_(&codec), store_(&store) {}

    /** Encodes and stores one node.
        @param children strictly ascending by reference (see `ChildSet`), each with decoding
        parameters of `parameters_size()` bytes.
        @param body the node's own plaintext (what the children mean, file data, ...).
        @par Errors `errc::unsorted_children` / `errc::duplicate_children`;
        `errc::invalid_argument` for parameters of the wrong length;
        `errc::size_limit_exceeded` when the encoded object exceeds 2 MiB; the codec's and
        the store's errors. */
    [[nodiscard]] result<Link> write(std::span<const Link> children, ByteView body) {
        const std::size_t p = parameters_size();
        SecureBytes plaintext;
        plaintext.reserve(children.size() * p + body.size());
        std::vector<object::Reference> refs;
        refs.reserve(children.size());
        for (const auto& c : children) {
            if (c.parameters.size() != p)
                return fail(errc::invalid_argument, "dag: child decoding parameters: expected " + std::to_string(p) +
                                                         " bytes, got " + std::to_string(c.parameters.size()));
            plaintext.insert(plaintext.end(), c.parameters.begin(), c.parameters.end());
            refs.push_back(c.reference);
        }
        plaintext.insert(plaintext.end(), body.begin(), body.end());
        auto encoded = codec_->encode(ByteView(plaintext.data(), plaintext.size()));
        if (!encoded) return encoded.error();
        auto contents = object::Contents::build(refs, encoded->data);
        if (!contents) return std::move(contents.error()).context("dag: building a node");
        if (auto r = store_->put(contents->reference(), contents->data()); !r) return r.error();
        ++objects_written_;
        return Link{contents->reference(), to_bytes(ByteView(encoded->parameters))};
    }

    /** Ends a unit of work (a tree, a file): the store's `commit()` when it has one
        (`storage::WriteSession::commit` writes what it batched and checks that every object put
        since is still stored). A root is safe to hand out only after this succeeds. */
    [[nodiscard]] result<void> commit() {
        if constexpr (requires { { store_->commit() } -> std::same_as<result<void>>; }) return store_->commit();
        else return {};
    }

    [[nodiscard]] std::size_t parameters_size() const { return dag::parameters_size(*codec_); }
    /// The codec and the store it writes through (for writers of its own on other threads:
    /// `TreeWriter` with `TreeOptions::threads`).
    [[nodiscard]] Codec& codec() const noexcept { return *codec_; }
    [[nodiscard]] Store& store() const noexcept { return *store_; }
    /// How many objects this writer stored (repeats included).
    [[nodiscard]] std::size_t objects_written() const noexcept { return objects_written_; }

private:
    Codec* codec_;
    Store* store_;
    std::size_t objects_written_ = 0;
};

/// A node read back: its validated object and its decoded payload.
class Node {
public:
    Node(object::Contents contents, SecureBytes plaintext, std::size_t parameters_size)
        : contents_(std::move(contents)), plaintext_(std::move(plaintext)), p_(parameters_size) {}

    [[nodiscard]] const object::Reference& reference() const noexcept { return contents_.reference(); }
    [[nodiscard]] std::size_t degree() const noexcept { return contents_.reference().degree(); }
    /// Child `i` (in ascending reference order) with its decoding parameters.
    [[nodiscard]] Link child(std::size_t i) const {
        const Byte* params = plaintext_.data() + i * p_;
        return Link{contents_.children()[i], Bytes(params, params + p_)};
    }
    /// The node's own plaintext, after the children's parameters.
    [[nodiscard]] ByteView body() const noexcept {
        return ByteView(plaintext_.data(), plaintext_.size()).subspan(degree() * p_);
    }

private:
    object::Contents contents_;
    SecureBytes plaintext_;
    std::size_t p_;
};

/// Limits of a `Reader`.
struct ReaderOptions {
    /// The largest decoded payload accepted for one node.
    std::size_t max_plaintext_bytes = object::Sha256V1::max_object_bytes;
    /// The most stored bytes a depth-first walk may hold at once: a walk from a root needs
    /// the root's size plus its maximum total parents size (doc/protocol.md, "Objects and references").
    std::uint64_t max_walk_bytes = std::uint64_t{256} << 20;
};

/** Reads nodes: fetches the object, validates it against its reference before anything else
    is done with it, then decodes the payload. */
template <class Codec, class Store>
class Reader {
    static_assert((check_policies<Codec, Store>(), true));   // names the first thing wrong, in one sentence

public:
    /// Reads through `codec` from `store`; both must outlive the reader.
    Reader(Codec& codec, Store& store, ReaderOptions options = {})
        : codec_(&codec), store_(&store), options_(options) {}

    /** Reads the node `link` points to.
        @par Errors `errc::object_not_found` (from the store); `errc::object_corrupt` when the
        stored data does not match the reference, or the payload cannot hold the children's
        decoding parameters; the codec's errors (`errc::authentication_failed`, ...);
        `errc::invalid_argument` for link parameters of the wrong length. */
    [[nodiscard]] result<Node> read(const Link& link) const {
        const std::size_t p = dag::parameters_size(*codec_);
        if (link.parameters.size() != p)
            return fail(errc::invalid_argument, "dag: link decoding parameters: expected " + std::to_string(p) +
                                                     " bytes, got " + std::to_string(link.parameters.size()));
        auto data = store_->get(link.reference);
        if (!data) return data.error();
        // Validation first: nothing of the stored bytes is trusted until they match the reference.
        auto contents = object::Contents::from_data(link.reference, std::move(*data));
        if (!contents) return std::move(contents.error()).context("dag: " + link.reference.to_string());
        auto plaintext = codec_->decode(contents->payload(), link.parameters, options_.max_plaintext_bytes);
        if (!plaintext) return std::move(plaintext.error()).context("dag: decoding " + link.reference.to_string());
        const std::size_t degree = link.reference.degree();
        if (p != 0 && plaintext->size() / p < degree)
            return fail(errc::object_corrupt, "dag: " + link.reference.to_string() + ": payload of " +
                                                   std::to_string(plaintext->size()) + " bytes cannot hold the " +
                                                   "decoding parameters of " + std::to_string(degree) + " children");
        return Node(std::move(*contents), std::move(*plaintext), p);
    }

    /** Checks, before a depth-first walk from `root`, that the ancestors held at any time fit
        the walk budget: root size plus its maximum total parents size.
        @par Errors `errc::size_limit_exceeded`. */
    [[nodiscard]] result<void> check_walk_budget(const object::Reference& root) const {
        const std::uint64_t need = std::uint64_t{root.size()} + root.max_parents_total_size();
        if (need > options_.max_walk_bytes)
            return fail(errc::size_limit_exceeded, "dag: walking " + root.to_string() + " may hold " +
                                                        std::to_string(need) + " bytes of parents, more than the " +
                                                        std::to_string(options_.max_walk_bytes) + " allowed");
        return {};
    }

    [[nodiscard]] const ReaderOptions& options() const noexcept { return options_; }
    /// The codec and the store it reads through (for readers of its own on other threads:
    /// `TreeReader` with `RestoreOptions::threads`).
    [[nodiscard]] Codec& codec() const noexcept { return *codec_; }
    [[nodiscard]] Store& store() const noexcept { return *store_; }

private:
    Codec* codec_;
    Store* store_;
    ReaderOptions options_;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_NODE_HPP
