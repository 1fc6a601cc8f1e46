/* Measured figures as CTest measurements: a line CTest reads from a test's
   output and keeps with its result (CDash shows it as a named measurement),
   and the same figure as plain text, which `ctest --output-junit` keeps in
   the test's system-out, where the tag is taken out.  Printed before the
   rest of the output: ctest keeps only the first 1024 bytes of a passing
   test's output. */
#ifndef STATICTLS_RENDER_MEASURE_H
#define STATICTLS_RENDER_MEASURE_H

#include <stdio.h>

/* The figure every measurement is named by: the largest IE block that
   still loads after the libraries or the case's steps, in bytes. */
#define MEASURE_HEADROOM "headroom_bytes"

/* `<CTestMeasurement type="numeric/double" name="NAME[.QUALIFIER]">VALUE`
   on out, then `NAME[.QUALIFIER] VALUE (measured)`.  qualifier (or NULL)
   tells apart the figures of one run (a case file's name); its characters
   outside [A-Za-z0-9._-] are written as '_', so no name breaks the tag. */
void render_ctest_measurement(FILE *out, const char *name, const char *qualifier,
                              long long value);

#endif
