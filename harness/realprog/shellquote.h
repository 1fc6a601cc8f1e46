/* Lines a POSIX shell reads back as the words they were made of: doctor
   prints its fixes as lines to paste, so no byte of a path or an argument
   may be read as shell syntax (';', '$', '`', a quote, a newline), and the
   command's name must stay its name (not an assignment like A=B, a
   reserved word like `if`, a job like %1, an option to `sh -c`). */
#ifndef STATICTLS_SHELLQUOTE_H
#define STATICTLS_SHELLQUOTE_H

#include <stdbool.h>

/* word as one shell word: itself where every byte is plain, else in single
   quotes (each ' written as '\''); command: the word is the command's
   name.  The caller frees it. */
char *shell_word(const char *word, bool command);

/* argv as a command line: the first word a command's name, the rest its
   arguments; preceded by NAME=VALUE where name is not NULL (a variable
   set for that command alone, its value quoted). */
char *shell_line(const char *name, const char *value, char *const argv[]);

#endif
