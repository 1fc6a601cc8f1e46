#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
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

/* Bytes a terminal acts on rather than shows (a carriage return, an escape
   sequence, a backspace): raw in a printed line, they make the screen, and
   so what is copied from it, another command than the bytes run. Each is
   written as printf's octal escape instead; a newline stays, as a line
   break is seen (and command substitution would drop a trailing one). */
static bool acted_on(unsigned char c)
{
    return (c && c < 0x20 && c != '\n') || c == 0x7f;
}

char *shell_word(const char *word, bool command)
{
    if (plain(word, command))
        return xstrdup(word);
    /* at most 4 bytes for a quote; a run of n acted-on bytes takes 17 + 4n */
    char *out = xmalloc(21 * strlen(word) + 3), *o = out;
    *o++ = '\'';
    for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4); /* close, an escaped quote, reopen */
            o += 4;
        } else if (acted_on(*p)) {
            o = stpcpy(o, "'\"$(printf '");
            for (; acted_on(*p); p++)
                o += sprintf(o, "\\%03o", *p);
            p--;
            o = stpcpy(o, "')\"'");
        } else {
            *o++ = (char)*p;
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
