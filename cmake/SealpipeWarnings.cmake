# Warning flags for sealpipe's own targets (tests, tools, examples). Consumers are not
# affected: the INTERFACE targets carry no warning flags.
add_library(sealpipe_warnings INTERFACE)
target_compile_options(sealpipe_warnings INTERFACE -Wall -Wextra -Wpedantic
  $<$<BOOL:${SEALPIPE_WERROR}>:-Werror>)
