/* What report and sweep write into results/<platform>/, published one way. */
#ifndef STATICTLS_RENDER_PUBLISH_H
#define STATICTLS_RENDER_PUBLISH_H

#include <stddef.h>

#include "xfile.h"

/* publish_dir's ours: publishing either command's pair keeps the other's,
   and a directory holding anything else (or a symbolic link there) is
   refused, exit 2.  NULL-terminated. */
extern const char *const platform_results_files[];

/* The files rendered from ctx into DIR/PLATFORM as one unit (xfile.h);
   exits 2 naming what refused it (command: "report", "sweep").  Returns
   DIR/PLATFORM; the caller frees it. */
char *render_publish(const char *command, const char *results_dir, const char *platform,
                     const struct rendered_file *files, size_t n, const void *ctx);

#endif
