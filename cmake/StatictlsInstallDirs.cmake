# Where an install puts statictls's parts, and how the program finds them
# from its own directory (harness/base/xpath.c data_dir): nothing installed names the source
# or build tree, so a copied prefix works as well as the original.
#   bin/statictls                       the program
#   lib/statictls/                      the probe, the fixture templates, the
#                                       injected helpers, one directory per libc build
#   share/statictls/cases/              the cases `report` runs by default
#   share/statictls/fetch-glibc.sh      brings an installed build's sysroot back
#   share/statictls/build-glibc.sh      builds an upstream glibc tree (--libc-tree)
#   share/man/man1/statictls.1
#   share/doc/statictls/                README.md, docs/*.md, LICENSE, copyright
#   lib/cmake/statictls/                find_package(statictls)
include(GNUInstallDirs)
set(STATICTLS_INSTALL_PARTSDIR ${CMAKE_INSTALL_LIBDIR}/statictls)
set(STATICTLS_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/statictls)
set(STATICTLS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/statictls)
file(RELATIVE_PATH STATICTLS_PARTS_FROM_BIN /${CMAKE_INSTALL_BINDIR} /${STATICTLS_INSTALL_PARTSDIR})
file(RELATIVE_PATH STATICTLS_DATA_FROM_BIN /${CMAKE_INSTALL_BINDIR} /${STATICTLS_INSTALL_DATADIR})
