/* Environment lists as a probe gets them: NULL-terminated NAME=VALUE. */
#ifndef STATICTLS_ENVVARS_H
#define STATICTLS_ENVVARS_H

/* The value of NAME in a NULL-terminated NAME=VALUE list, or NULL. */
const char *env_lookup(char *const *vars, const char *name);

#endif
