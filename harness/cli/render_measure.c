#include "render_measure.h"

#include <string.h>

/* NAME[.QUALIFIER], qualifier's odd characters as '_'. */
static void print_name(FILE *out, const char *name, const char *qualifier)
{
    fputs(name, out);
    if (!qualifier)
        return;
    fputc('.', out);
    for (const char *p = qualifier; *p; p++)
        fputc(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p)
                  ? *p : '_', out);
}

void render_ctest_measurement(FILE *out, const char *name, const char *qualifier,
                              long long value)
{
    fputs("<CTestMeasurement type=\"numeric/double\" name=\"", out);
    print_name(out, name, qualifier);
    fprintf(out, "\">%lld</CTestMeasurement>\n", value);
    print_name(out, name, qualifier);
    fprintf(out, " %lld (measured)\n", value);
}
