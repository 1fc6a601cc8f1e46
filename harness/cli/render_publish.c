#include "render_publish.h"

#include <limits.h>

#include "die.h"
#include "xalloc.h"

const char *const platform_results_files[] = {"README.md", "results.json", "sweep.json",
                                              "sweep.md", NULL};

char *render_publish(const char *command, const char *results_dir, const char *platform,
                     const struct rendered_file *files, size_t n, const void *ctx)
{
    char *dir = xasprintf("%s/%s", results_dir, platform);
    char err[PATH_MAX + 512];
    if (!publish_rendered(dir, files, n, ctx, platform_results_files, err, sizeof err))
        die_input("%s: results not written: %s", command, err);
    return dir;
}
