#!/bin/sh
# Runs ctest in the current build directory and leaves a machine-readable
# report: JUnit (junit.xml) where ctest can write it (CMake >= 3.21), else
# CTest's own XML under Testing/ (Debian 11's 3.18, Ubuntu 20.04's 3.16).
set -eu
if ctest --help | grep -q -- '--output-junit'; then
    exec ctest --output-on-failure --output-junit junit.xml
fi
exec ctest --output-on-failure -T Test
