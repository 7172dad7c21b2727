#!/usr/bin/env bash
# ENROOT_RESTRICT_DEV: replace the host's /dev with a tmpfs holding only the usual devices.
set -eu
[ -n "${ENROOT_RESTRICT_DEV-}" ] || exit 0
enroot-mount --root "${ENROOT_ROOTFS}" - << EOF2
none          /dev          none    x-detach,nofail,silent
tmpfs         /dev          tmpfs   x-create=dir,rw,nosuid,noexec,mode=755
/dev/zero     /dev/zero     none    x-create=file,bind,rw,nosuid,noexec,private
/dev/null     /dev/null     none    x-create=file,bind,rw,nosuid,noexec,private
/dev/full     /dev/full     none    x-create=file,bind,rw,nosuid,noexec,private
/dev/urandom  /dev/urandom  none    x-create=file,bind,rw,nosuid,noexec,private
/dev/random   /dev/random   none    x-create=file,bind,rw,nosuid,noexec,private
/dev/tty      /dev/tty      none    x-create=file,bind,rw,nosuid,noexec,private,nofail,silent
devpts        /dev/pts      devpts  x-create=dir,rw,nosuid,noexec,newinstance,ptmxmode=0666,mode=620
/dev/shm      /dev/shm      none    x-create=dir,bind,rw,nosuid,noexec,nodev,private
EOF2
ln -sf /proc/self/fd "${ENROOT_ROOTFS}/dev/fd"
ln -sf /dev/pts/ptmx "${ENROOT_ROOTFS}/dev/ptmx"
ln -sf /proc/self/fd/0 "${ENROOT_ROOTFS}/dev/stdin"
ln -sf /proc/self/fd/1 "${ENROOT_ROOTFS}/dev/stdout"
ln -sf /proc/self/fd/2 "${ENROOT_ROOTFS}/dev/stderr"
