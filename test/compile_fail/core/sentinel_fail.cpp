// expect: sealpipe: compile-fail sentinel
// Proves the compile-fail harness notices a failed build and matches its message.
static_assert(sizeof(int) == 0, "sealpipe: compile-fail sentinel");
