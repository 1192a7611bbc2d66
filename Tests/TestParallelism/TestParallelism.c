// Caps how many tests swift-testing runs at once, before its entry point reads the setting.
//
// Started all at once, the package's ~730 tests (servers, clients, child processes and recorded batches) keep a
// 2-core machine's cooperative pool saturated for the first minute: a test server's answer then waits behind other
// tests' work for longer than the safety-net timeouts (10 s and more), and unrelated tests fail. With at most 12 at
// a time, the whole suite passed in the same wall time. A width set by the caller is kept.
#include "TestParallelism.h"

#include <stdlib.h>

int tdf_test_parallelization_width(void) { return 12; }

__attribute__((constructor)) static void tdf_cap_test_parallelism(void) {
    setenv("SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH", "12", 0);
}
