// Twin of sentinel_fail.cpp: the same assertion, satisfied.
static_assert(sizeof(int) != 0, "sealpipe: compile-fail sentinel");
