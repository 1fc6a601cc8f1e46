/* A case's verdict from what its run recorded (caserun.h): the one place
   that says pass, fail, skip or error, and why.  case_run stores what
   case_judge returns; nothing else decides a verdict. */
#ifndef STATICTLS_CASEJUDGE_H
#define STATICTLS_CASEJUDGE_H

#include <stdbool.h>
#include <stddef.h>

struct case_def;
struct case_result;

/* ERROR: the case asks for something impossible here (a size relative to
   free that comes out below 1 byte or above 1 GiB): the user's input. */
enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_SKIP, VERDICT_ERROR };

struct case_verdict {
    enum verdict verdict;
    char reason[1024];
    /* A real library the case names is not on this machine: a skip with
       --allow-missing, otherwise an input error at missing_line. */
    bool missing_library;
    int missing_line;
};

/* The verdict on case c by what its run r recorded; reads nothing else. */
struct case_verdict case_judge(const struct case_def *c, const struct case_result *r);
/* Whether the verdict waits on the headroom after the steps (not yet
   measured): every step went as expected, and c expects headroom here. */
bool case_headroom_due(const struct case_def *c, const struct case_result *r);

const char *verdict_name(enum verdict v);
/* What kind of disagreement a failed case shows, as a short stable name
   ("load-loaded-vs-static-tls-exhausted", "dlmopen-tp-offset", "startup"):
   the fuzzer groups by it. */
void case_signature(const struct case_result *r, char *buf, size_t len);

#endif
