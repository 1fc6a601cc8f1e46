# `cpack -G DEB` (in the build directory): a .deb of the install layout,
# under /usr.  The glibc builds inside name their sysroots in the builder's
# cache (scripts/fetch-glibc.sh); where that is absent they skip, saying how
# to fetch it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME statictls)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "measures where glibc's static TLS limit trips")
set(CPACK_PACKAGE_CONTACT "statictls <dev@statictls>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The program links libelf, jansson and zlib; the probes run on their own libcs.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libelf1, libjansson4, zlib1g")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qemu-user, musl")
include(CPack)
