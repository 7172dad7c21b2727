#!/bin/sh
# The test command: installs what the tests need, builds, and runs every module's tests.
# Test classes start and stop the real services they use (registry, Slurm) themselves
# through the scripts in testdata/, so `mvn test` alone also works once deps are installed.
set -e
here=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$here"
if [ "$(id -u)" -eq 0 ]; then
    scripts/install-deps.sh
fi
exec mvn -B -ntp verify "$@"
