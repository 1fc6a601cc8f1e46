#include "render_measure.h"

#include <string.h>

void render_ctest_measurement(FILE *out, const char *name, const char *qualifier,
                              long long value)
{
    fprintf(out, "<CTestMeasurement type=\"numeric/double\" name=\"%s", name);
    if (qualifier) {
        fputc('.', out);
        for (const char *p = qualifier; *p; p++)
            fputc(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p)
                      ? *p : '_', out);
    }
    fprintf(out, "\">%lld</CTestMeasurement>\n", value);
}
