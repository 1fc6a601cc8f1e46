/* libFuzzer target: the case parser takes any bytes, and what it accepts
   is a case the runner can follow (every index in range). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caseparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CASE_MAX_BYTES)
        return 0; /* the reader refuses larger files first */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0'; /* the reader refuses a NUL inside */
    struct case_def c;
    char err[1024];
    if (case_parse("fuzz.case", text, &c, err, sizeof err)) {
        bool startup_only = c.expect == EXPECT_TRIP && c.expect_step == 0;
        if ((c.nsteps == 0 && !startup_only) || c.nsteps > CASE_MAX_STEPS ||
            c.nobjects > CASE_MAX_OBJECTS)
            abort();
        for (size_t i = 0; i < c.nsteps; i++) {
            const struct case_step *s = &c.steps[i];
            if (s->op != OP_THREADS && s->object >= c.nobjects)
                abort();
            if (s->op == OP_CLOSE && s->closes >= i)
                abort();
        }
        if (c.expect == EXPECT_TRIP && (c.expect_step < 0 || (size_t)c.expect_step > c.nsteps))
            abort();
        case_free(&c);
    } else if (strncmp(err, "fuzz.case:", 10) != 0) { /* every error names file:line */
        abort();
    }
    free(text);
    return 0;
}
