// expect: sealpipe: WorkerEndpoint<Transport> requires Transport to model sealpipe::transport::Transport
// An endpoint is parameterised on a transport: a type that makes no bounded channels is refused.
#include <sealpipe/execution/endpoints.hpp>

struct NotATransport {};

using Misuse = sealpipe::execution::WorkerEndpoint<NotATransport>;
[[maybe_unused]] constexpr auto size = sizeof(Misuse);
