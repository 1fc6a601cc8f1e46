/* The files that describe a libc build directory, NAME/ under the
   program's parts (build/NAME/ of a build tree, lib/statictls/NAME/ of an
   install): how libcbuild.c knows whether build NAME is here, why not, and
   how to run it.  CMake writes them when configuring, through
   cmake/StatictlsBuildMarkers.cmake, which reads the names from this
   header; the install copies them as they are.  Each holds one line.

   Every build but the host's (the parts directory itself, which has none):
     root         the libc tree its programs use; empty: the compiler's own
                  libc (musl's).  Without it the build is not offered.
                  Relative (to NAME/), it names a copy beside the program's
                  parts (an install's sysroots/), whose ld.so then runs the
                  probe.
     loader       the command that runs its programs (qemu-aarch64), if any.
     ldso         the probe's interpreter, relative to root.
     unbuildable  why this machine's toolchain cannot build against it.
     unfetched    why its sysroot could not be fetched (a --libc-tree build:
                  why its tree is not there).
   Either of the last two makes a request for the build a skip (77) that
   names what brings it; a known build with neither was not asked for when
   configuring, and asking for it is an error (2) unless --allow-missing.
   Beside them lies the set itself: statictls-probe and the fixtures (fixtures/NAME.so).

   A --libc-tree build (tree-glibc-VERSION/, cmake/libc-trees.cmake) also:
     tree     the directory as the user named it (what --libc-tree matches).
     layout   what was found where, for the results' description.
     distro   "upstream" for a tree scripts/build-glibc.sh built, else "tree".
     libdirs  where its ld.so finds libraries (the probe's runpath),
              ":"-joined. */
#ifndef STATICTLS_BUILDMARKERS_H
#define STATICTLS_BUILDMARKERS_H

/* CMake reads each line of the form `#define STATICTLS_MARKER_X "name"`. */
#define STATICTLS_MARKER_ROOT "root"
#define STATICTLS_MARKER_LOADER "loader"
#define STATICTLS_MARKER_LDSO "ldso"
#define STATICTLS_MARKER_UNBUILDABLE "unbuildable"
#define STATICTLS_MARKER_UNFETCHED "unfetched"
#define STATICTLS_MARKER_TREE "tree"
#define STATICTLS_MARKER_LAYOUT "layout"
#define STATICTLS_MARKER_DISTRO "distro"
#define STATICTLS_MARKER_LIBDIRS "libdirs"

#endif
