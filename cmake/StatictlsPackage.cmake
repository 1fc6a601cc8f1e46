# `cpack -G DEB` (in the build directory): a .deb of the install layout,
# under /usr.  The glibc builds inside name their sysroots in the builder's
# cache (fetch-glibc.sh); where that is absent they skip, saying how to
# fetch it.

# The license, in every install and package: LICENSE as it is, and Debian's
# machine-readable copyright file made from it (Expat is Debian's name for
# the MIT license).
set(STATICTLS_PACKAGE_MAINTAINER "statictls developers" CACHE STRING
  "The .deb's Maintainer field; whoever builds and ships a package names themselves here (\"Name <address>\")")
file(STRINGS ${PROJECT_SOURCE_DIR}/LICENSE statictls_license_lines)
set(STATICTLS_LICENSE_TEXT "")
set(statictls_in_terms FALSE)
foreach(line IN LISTS statictls_license_lines)
  if(line MATCHES "^Permission is hereby granted")
    set(statictls_in_terms TRUE)
  endif()
  if(statictls_in_terms)
    if(line STREQUAL "")
      set(line ".")
    endif()
    string(APPEND STATICTLS_LICENSE_TEXT " ${line}\n")
  endif()
endforeach()
string(STRIP "${STATICTLS_LICENSE_TEXT}" STATICTLS_LICENSE_TEXT)
set(STATICTLS_LICENSE_TEXT " ${STATICTLS_LICENSE_TEXT}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/debian-copyright.in ${CMAKE_BINARY_DIR}/copyright @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/LICENSE)
# The documentation beside it: what the man page and the messages of an
# install name (robustness.md, the guides), never the source tree's docs/.
file(GLOB statictls_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${CMAKE_BINARY_DIR}/copyright
              ${PROJECT_SOURCE_DIR}/README.md ${statictls_docs}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME statictls)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "measures where glibc's static TLS limit trips")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
# The project has no address of its own (no tracker, no list): the field
# names the project, and a packager sets STATICTLS_PACKAGE_MAINTAINER.
set(CPACK_PACKAGE_CONTACT "${STATICTLS_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${STATICTLS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The program, its probes and helpers stripped (cmake/StatictlsInstallStrip.cmake).
set(CPACK_STRIP_FILES TRUE)
# Depends: computed when cpack runs (cmake/StatictlsCPackOptions.cmake.in)
# by dpkg-shlibdeps from the program and the parts that run on this
# machine's libraries, plus libarchive, which census dlopens to read wheels
# and dpkg-shlibdeps cannot see (libarchive13t64 since Debian 13 and Ubuntu
# 24.04).  Not CPack's own CPACK_DEBIAN_PACKAGE_SHLIBDEPS: it reads every
# ELF file, the i386 probes too, and would make the package depend on
# libc6-i386, where those probes run on their own sysroot's libc.
set(STATICTLS_PACKAGE_EXTRA_DEPENDS "libarchive13t64 | libarchive13")
configure_file(${PROJECT_SOURCE_DIR}/cmake/StatictlsCPackOptions.cmake.in
               ${CMAKE_BINARY_DIR}/StatictlsCPackOptions.cmake @ONLY)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/StatictlsCPackOptions.cmake)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qemu-user, musl")
include(CPack)
