#ifndef TEST_PARALLELISM_H
#define TEST_PARALLELISM_H

/// The most tests swift-testing runs at once in this package's test bundle, unless
/// SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH is set when `swift test` starts.
int tdf_test_parallelization_width(void);

#endif
