/* libFuzzer target: the probe record parser takes any line; a record it
   accepts, its values escaped again, parses back the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        abort();
    memcpy(line, data, size);
    line[size] = '\0';
    struct record r;
    if (!record_parse(line, &r)) {
        free(line);
        return 0;
    }
    char *again = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&again, &len);
    if (!f)
        abort();
    fputs(r.kind, f);
    for (size_t i = 0; i < r.nfields; i++) {
        char *v = record_escape(r.values[i]);
        fprintf(f, "\t%s=%s", r.keys[i], v);
        free(v);
    }
    if (fclose(f) != 0)
        abort();
    struct record back;
    if (!record_parse(again, &back) || strcmp(back.kind, r.kind) != 0 ||
        back.nfields != r.nfields)
        abort();
    for (size_t i = 0; i < r.nfields; i++) {
        if (strcmp(back.keys[i], r.keys[i]) != 0 || strcmp(back.values[i], r.values[i]) != 0)
            abort();
        long v;
        (void)record_get_long(&r, r.keys[i], &v);
    }
    record_free(&back);
    record_free(&r);
    free(again);
    free(line);
    return 0;
}
