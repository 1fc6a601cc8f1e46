/* ${NAME} in case files: a downstream case names its own library
   (`lib mine ${MYLIB}`) and the command line or the environment says
   where it is. */
#ifndef STATICTLS_CASEVARS_H
#define STATICTLS_CASEVARS_H

#include <stdbool.h>
#include <stddef.h>

/* NAME=VALUE from --define, which take precedence over the environment. */
struct case_vars {
    char *const *environment; /* the user's NAME=VALUE list (settings.h), or NULL */
    char **defines;
    size_t n;
};

/* Adds a --define; false with what is wrong in err unless it is NAME=VALUE
   with a valid NAME. */
bool case_vars_define(struct case_vars *v, const char *definition, char *err, size_t errlen);
void case_vars_free(struct case_vars *v);

/* What the words of one case may hold in all once ${NAME} is replaced: a
   few references to a long value must not make the parser copy without
   end (cases/README.md documents it; a larger value is no path or number a
   case could use).  Raise it here where one must. */
#define CASE_VARS_MAX_EXPANDED ((size_t)4 << 20)

/* word with every ${NAME} replaced (the caller frees it), in time linear
   in its length; or NULL with what is wrong in err: an undefined NAME, an
   unterminated or empty ${}, a result longer than max bytes (the caller's
   share of CASE_VARS_MAX_EXPANDED). */
char *case_vars_expand(const struct case_vars *v, const char *word, size_t max, char *err,
                       size_t errlen);

#endif
