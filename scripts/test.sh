#!/bin/sh
# The test command: installs what the tests need, builds, and runs every module's tests.
# Test classes start and stop the real services they use (registry, Slurm) themselves
# through the scripts in testdata/, so `mvn verify` alone also works once deps are installed.
set -e
here=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$here"
if [ "$(id -u)" -ne 0 ]; then
    exec mvn -B -ntp verify "$@"
fi
scripts/install-deps.sh
# The unprivileged tests (user sqtest) mount through FUSE, which needs /dev/fuse open to users:
# stock Debian with udev has 0666, some VMs 0600. Open it for the run, then put back what we found.
mode=$(stat -c %a /dev/fuse 2>/dev/null || echo "")
if [ -n "$mode" ] && [ "$mode" != 666 ]; then
    trap 'chmod "$mode" /dev/fuse' EXIT INT TERM
    chmod 666 /dev/fuse
fi
mvn -B -ntp verify "$@"
