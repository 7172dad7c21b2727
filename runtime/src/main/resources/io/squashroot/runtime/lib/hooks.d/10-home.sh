#!/usr/bin/env bash
# ENROOT_MOUNT_HOME: bind the caller's home directory (at /root when remapped to root).
set -eu
[ -n "${ENROOT_MOUNT_HOME-}" ] || exit 0
source "${ENROOT_LIBRARY_PATH}/common.sh"
if [ -z "${HOME-}" ]; then
    HOME=$(common::getpwent | cut -d: -f6)
fi
if [ -n "${ENROOT_REMAP_ROOT-}" ]; then
    printf "%s /root none x-create=dir,bind,rw,nosuid\n" "${HOME}" >> "${ENROOT_MOUNTS}"
    printf "HOME=/root\n" >> "${ENROOT_ENVIRON}"
else
    printf "%s %s none x-create=dir,bind,rw,nosuid\n" "${HOME}" "${HOME}" >> "${ENROOT_MOUNTS}"
    printf "HOME=%s\n" "${HOME}" >> "${ENROOT_ENVIRON}"
fi
