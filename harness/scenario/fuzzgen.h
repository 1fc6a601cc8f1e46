/* Random valid cases over the whole case language, for `statictls fuzz`:
   fixtures of every access, size and alignment (1..128, free+-N), real
   libraries, preloads, audit modules, tunables (odd strings too), load /
   close / dlmopen in any order (loading again what failed or was closed),
   threads and repeat blocks; always `expect model`.  The same seed gives
   the same cases. */
#ifndef STATICTLS_FUZZGEN_H
#define STATICTLS_FUZZGEN_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t state;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n). */
uint64_t rng_below(struct rng *r, uint64_t n);

/* One case's text; the caller frees it.  real_libs: sonames or paths of
   real libraries the case may name (NULL-terminated, may be NULL). */
char *fuzz_case(struct rng *r, const char *const *real_libs);
/* `fuzz --real`: a case of one to three fixtures and one to three of the n
   real libraries libs (paths), loaded, closed and dlmopen'ed in any order. */
char *fuzz_real_case(struct rng *r, const char *const *libs, size_t n);

#endif
