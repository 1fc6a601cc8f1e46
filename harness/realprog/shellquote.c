#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "shellquote.h"
#include "xalloc.h"

/* Bytes no POSIX shell treats specially anywhere in a word ('~' only at
   its start or after ':' or '=' in an assignment, so it is not here). */
static const char plain_bytes[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789_-+./:,@%=";

/* Words the shell reads as syntax in a command's place. */
static bool reserved(const char *w)
{
    static const char *const words[] = {"!",    "{",     "}",    "case", "do",       "done",
                                        "elif", "else",  "esac", "fi",   "for",      "if",
                                        "in",   "then",  "until", "while", "function", "select",
                                        "time", "coproc", "[[",   "]]",   NULL};
    for (size_t i = 0; words[i]; i++)
        if (strcmp(w, words[i]) == 0)
            return true;
    return false;
}

static bool plain(const char *w, bool command)
{
    /* A word starting with = is zsh's path expansion; with %, a job in
       bash's command place and fish's process expansion. */
    if (!*w || strspn(w, plain_bytes) != strlen(w) || w[0] == '=' || w[0] == '%')
        return false;
    /* A=B in a command's place is an assignment; a line that starts with
       '-' is an option to `sh -c` (the line as a string in a script). */
    return !command || (!strchr(w, '=') && w[0] != '-' && !reserved(w));
}

char *shell_word(const char *word, bool command)
{
    if (plain(word, command))
        return xstrdup(word);
    size_t quotes = 0;
    for (const char *p = word; *p; p++)
        quotes += *p == '\'';
    char *out = xmalloc(strlen(word) + 3 * quotes + 3), *o = out;
    *o++ = '\'';
    for (const char *p = word; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4); /* close, an escaped quote, reopen */
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

char *shell_line(const char *name, const char *value, char *const argv[])
{
    char *line = NULL;
    if (name) {
        char *v = shell_word(value, false);
        line = xasprintf("%s=%s", name, v);
        free(v);
    }
    for (size_t i = 0; argv[i]; i++) {
        char *w = shell_word(argv[i], i == 0);
        char *next = line ? xasprintf("%s %s", line, w) : xstrdup(w);
        free(line), free(w);
        line = next;
    }
    return line ? line : xstrdup("");
}
