/* What `report` prints as it goes and the files it writes: README.md and
   results.json of results/<platform>/, measured beside modelled. */
#ifndef STATICTLS_RENDER_REPORT_H
#define STATICTLS_RENDER_REPORT_H

#include <stdint.h>

#include "budget.h"
#include "caseset.h"
#include "libcbuild.h"
#include "limit.h"

/* One largest-block figure of the report. */
struct limit_row {
    enum tls_access model;
    uint64_t align;
    struct limit_result result;
};

/* What one report writes. */
struct report {
    const struct libc_build *build;
    const char *platform;
    const struct budget *b;
    const struct limit_row *rows;
    size_t nrows;
    const struct case_set *s;
};

/* The limits' table: its header, then one line per row as it is measured. */
void render_report_limits_header(void);
void render_report_limit(const struct limit_row *row);
/* The cases' table: its header, then one line per case as it runs. */
void render_report_cases_header(void);
void render_report_case(const struct case_result *r);
/* DIR/<platform>/README.md and results.json, published as one unit; says
   where.  Exits 2 where DIR/<platform> is no directory of statictls's own
   (xfile.h). */
void render_report_files(const char *results_dir, const struct report *rep);

#endif
