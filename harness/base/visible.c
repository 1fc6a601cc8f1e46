#include "visible.h"

#include <stdio.h>
#include <string.h>

#include "xalloc.h"

char *visible(const char *s)
{
    char *out = xmalloc(4 * strlen(s) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            o += sprintf(o, "\\n");
        else if (*p == '\t')
            o += sprintf(o, "\\t");
        else if (*p == '\\')
            o += sprintf(o, "\\\\");
        else if (*p < 0x20 || *p > 0x7e)
            o += sprintf(o, "\\x%02x", *p);
        else
            *o++ = (char)*p;
    }
    *o = '\0';
    return out;
}
