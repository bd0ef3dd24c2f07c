// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The sealpipe tool's command registry, argument parser and I/O conventions (doc/cli.md):
// binary stdin/stdout, nothing on stdout on failure, one error line, exit codes 0/1/2.

#ifndef SEALPIPE_TOOLS_CLI_HPP
#define SEALPIPE_TOOLS_CLI_HPP

#include <sealpipe/core.hpp>
#include <sealpipe/storage/types.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sealpipe::cli {

/// A command line that is wrong (an unknown or missing option, a bad value): exit 2, as every
/// error that is not a failed verification. The library knows no command lines; to it this is
/// an invalid argument.
inline constexpr errc usage_error = errc::invalid_argument;

/// The tool's exit code for an error (doc/cli.md): 1 for a failed verification, 2 otherwise.
[[nodiscard]] inline int exit_code_for(const Error& e) noexcept {
    return e == condition::verification_failed ? 1 : 2;
}

/// One `--name [VALUE]` option of a command.
struct Option {
    std::string_view name;        ///< without the leading "--"
    std::string_view value_name;  ///< empty for a flag that takes no value
    std::string_view help;
    bool required = false;
    bool repeatable = false;
};

/// A parsed command line.
class Args {
public:
    bool has(std::string_view name) const { return values_.contains(std::string(name)); }
    /// The value of an option given at most once, if given.
    std::optional<std::string> get(std::string_view name) const;
    /// The value of a required option (the parser has already checked it is there).
    const std::string& required(std::string_view name) const;
    /// Every value of a repeatable option, in order.
    std::vector<std::string> all(std::string_view name) const;
    const std::vector<std::string>& positional() const { return positional_; }

    std::map<std::string, std::vector<std::string>, std::less<>> values_;
    std::vector<std::string> positional_;
};

/** A buffer for a whole input that a command transforms in place (256 MiB of stdin should cost
    256 MiB of memory, not three copies). Anonymous memory of its own: it grows by remapping
    pages, never by copying (so no copy of the data is left behind), large ones on transparent
    huge pages (fewer page faults), and it is wiped before it is released. */
class InPlaceBuffer {
public:
    InPlaceBuffer() = default;
    InPlaceBuffer(const InPlaceBuffer&) = delete;
    InPlaceBuffer& operator=(const InPlaceBuffer&) = delete;
    ~InPlaceBuffer();

    /// Makes room for at least `n` bytes, keeping the contents (pages move, nothing is copied).
    void reserve(std::size_t n);
    std::size_t capacity() const noexcept { return capacity_; }
    Byte* data() noexcept { return data_; }
    /// Records that the first `n` bytes may hold data: they are wiped on release.
    void touched(std::size_t n) noexcept { touched_ = std::max(touched_, n); }

private:
    Byte* data_ = nullptr;
    std::size_t capacity_ = 0;   // bytes mapped
    std::size_t touched_ = 0;
};

/// Where a command reads and writes. Output is held back until the command succeeds, and
/// wiped when done with (it may hold plaintext or keys).
class Io {
public:
    Io() = default;
    Io(const Io&) = delete;
    Io& operator=(const Io&) = delete;
    ~Io() { wipe(out_); }

    /// Reads all of stdin; more than `limit` bytes is `errc::size_limit_exceeded`.
    result<Bytes> read_stdin(std::size_t limit = default_stdin_limit);
    /// Reads stdin as text (same limit).
    result<std::string> read_stdin_text(std::size_t limit = default_stdin_limit);
    void write(ByteView b) { append(out_, b); }
    void write(std::string_view s) { append(out_, as_bytes(s)); }
    void write_line(std::string_view s) { write(s); write("\n"); }

    /** Reads all of stdin into a buffer with `room` bytes to spare after it, for a command that
        transforms it in place (a regular file is read in one go into a buffer of its size).
        Returns the input; the buffer stays valid until `io` is destroyed. More than `limit`
        bytes is `errc::size_limit_exceeded`. */
    result<MutableByteView> read_stdin_in_place(std::size_t room, std::size_t limit = default_stdin_limit);
    /// Makes the output the first `n` bytes of the in-place buffer (instead of what `write`
    /// collected).
    void output_in_place(std::size_t n) { output_in_place(0, n); }
    /// Makes the output the `n` bytes of the in-place buffer that start at `offset`.
    void output_in_place(std::size_t offset, std::size_t n) {
        in_place_.touched(offset + n);
        in_place_data_ = in_place_.data() + offset;
        in_place_output_ = n;
    }
    /** Makes the in-place buffer (filled by `read_stdin_in_place`) at least `n` bytes long,
        keeping its contents (pages move, nothing is copied), and returns its first `n` bytes,
        for output longer than the input (padding, a tag). Views of it taken before are no
        longer valid. */
    MutableByteView grow_in_place(std::size_t n);
    /** A second buffer of `n` bytes, of the same kind as the in-place one (wiped on release),
        for a command whose output cannot be written over its input (a decompressor). Valid
        until `io` is destroyed; a later call may move it. */
    MutableByteView output_buffer(std::size_t n);
    /// Makes the output the first `n` bytes of the buffer from `output_buffer`.
    void output_from_buffer(std::size_t n) {
        in_place_data_ = out_place_.data();
        in_place_output_ = n;
    }

    /// Makes `b` the output, without a copy (nothing may have been written before).
    void take(Bytes&& b) {
        wipe(out_);
        out_ = std::move(b);
    }
    /// The same for bytes that are wiped when freed (decoded plaintext).
    void take(SecureBytes&& b) {
        secure_out_ = std::move(b);
        has_secure_out_ = true;
    }

    Bytes& output() { return out_; }
    /// What the tool writes to stdout when the command succeeds.
    ByteView output_view() const {
        if (in_place_output_) return ByteView(in_place_data_, *in_place_output_);
        return has_secure_out_ ? ByteView(secure_out_) : ByteView(out_);
    }
    bool stdout_is_terminal() const;
    bool stderr_is_terminal() const;

    static constexpr std::size_t default_stdin_limit = std::size_t{1} << 30;

private:
    Bytes out_;
    SecureBytes secure_out_;
    bool has_secure_out_ = false;
    InPlaceBuffer in_place_;
    InPlaceBuffer out_place_;   // output_buffer
    const Byte* in_place_data_ = nullptr;   // where the output in place starts
    std::optional<std::size_t> in_place_output_;
};

using Handler = result<void> (*)(const Args&, Io&);

/// A command: its words ("aead", "seal"), what it does, its options and positional arguments.
struct Command {
    std::vector<std::string_view> words;
    std::string_view summary;
    std::vector<Option> options;
    std::string_view positional_usage;  ///< e.g. "HEX" or "PATH"; empty if none
    std::size_t min_positional = 0;
    std::size_t max_positional = 0;
    Handler run = nullptr;
    std::string_view details;           ///< extra paragraph for --help
};

/// Registers a command; used through `Registrar` at namespace scope in commands_<area>.cpp.
void register_command(Command c);

struct Registrar {
    explicit Registrar(Command c) { register_command(std::move(c)); }
};

/// Runs the tool; returns the process exit code.
int run(int argc, char** argv);

// Helpers shared by commands --------------------------------------------------------------

/// Reads a whole file (binary), at most `limit` bytes.
/// The most a key, certificate or certificate chain file may hold (a CA bundle: 16 times as much).
inline constexpr std::size_t key_file_limit = std::size_t{1} << 20;
/// The most a JWK, or a provider's key file, may hold.
inline constexpr std::size_t jwk_file_limit = std::size_t{64} << 10;
/// An Action or Event message: at most 16 MiB (doc/protocol.md#actions-and-events).
inline constexpr std::size_t message_limit = std::size_t{16} << 20;

/// `s` without leading and trailing ASCII white space (a file's final newline).
inline std::string_view trim(std::string_view s) {
    constexpr std::string_view ws = " \t\r\n";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

result<Bytes> read_file(const std::string& path, std::size_t limit = Io::default_stdin_limit);
/// A text file of at most `limit` bytes (keys, certificates): the bytes read are wiped.
result<std::string> read_text_file(const std::string& path, std::size_t limit = std::size_t{1} << 20);
/// Writes a whole file, replacing it.
result<void> write_file(const std::string& path, ByteView data);
/// Decodes an option's hex value, naming the option in errors.
result<Bytes> hex_option(const Args& args, std::string_view name);
/// Parses a non-negative integer option value.
/// "19.0 MiB".
std::string mib(std::uint64_t bytes);
/// "1:05", "2:03:04".
std::string duration(double seconds);

/** One line of progress on stderr, redrawn at most ten times a second, only when stderr is
    a terminal; `note` writes a line above it, `summary` replaces it for good. */
class ProgressLine {
public:
    ProgressLine(bool enabled, std::string verb);
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;
    ~ProgressLine();

    /// Whether a new line is due (enabled, and 100 ms since the last one).
    bool due();
    /// Draws `line` over the previous one.
    void show(const std::string& line);
    /// A line of its own, above the progress line (whether or not stderr is a terminal).
    void note(const std::string& text);
    /// Replaces the progress line with `text` and the time taken (terminals only).
    void summary(const std::string& text);
    /// Seconds since it was made.
    double seconds() const;
    const std::string& verb() const { return verb_; }

private:
    void end();
    bool enabled_;
    std::string verb_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_{};
};

/** `text` safe for a terminal: control characters (C0, DEL, C1) and bytes that are not UTF-8
    are written as \xNN, so that a file name cannot move the cursor or change the terminal. */
std::string printable(std::string_view text);
result<std::uint64_t> uint_option(const Args& args, std::string_view name, std::uint64_t fallback);

/// `opts` and the TLS options of a `grpcs://` store: --tls-ca, --tls-cert, --tls-key
/// (commands_storage.cpp).
std::vector<Option> with_store_tls(std::vector<Option> opts);
/// The TLS material those options name (none given: empty).
result<storage::RemoteTls> store_tls(const Args& args);

} // namespace sealpipe::cli

#endif // SEALPIPE_TOOLS_CLI_HPP
