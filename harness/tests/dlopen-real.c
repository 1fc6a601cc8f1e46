/* A small real program for the trace and headroom tests: dlopens each
   argument in order and exits 1 with dlerror() on the first failure, the
   way an application that imports a plugin does.  The argument --thread
   creates a thread and joins it before the next dlopen: the process stays
   multi-threaded for glibc all the same. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *nothing(void *arg)
{
    return arg;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--thread") == 0) {
            pthread_t t;
            int err = pthread_create(&t, NULL, nothing, NULL);
            if (err || (err = pthread_join(t, NULL))) {
                fprintf(stderr, "dlopen-real: thread: %s\n", strerror(err));
                return 3;
            }
            continue;
        }
        if (!dlopen(argv[i], RTLD_NOW)) {
            fprintf(stderr, "dlopen-real: %s\n", dlerror());
            return 1;
        }
    }
    return 0;
}
