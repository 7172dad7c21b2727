#!/bin/sh
# Prints a canonical description of the tree under DIR, for comparing a FUSE mount with an
# extraction: every entry's type, mode, owner, size (not for directories, whose size is
# filesystem-specific), mtime, link count, symlink target, device numbers, the sha256 of
# every regular file (except names given with -x), and all extended attributes.
# Usage: walk-tree.sh DIR [-x NAME]...
set -eu
dir=$1
shift
skip=""
while [ $# -gt 0 ]; do
    [ "$1" = -x ] && skip="$skip ! -name $2" && shift 2 || { echo "walk-tree.sh: bad argument $1" >&2; exit 2; }
done
cd "$dir"
export LC_ALL=C
echo "## entries"
find . -mindepth 1 -printf '%P|%y|%m|%U|%G|%s|%T@|%n|%l\n' | awk -F'|' -v OFS='|' '$2 == "d" { $6 = "-" } { print }' | sort
echo "## devices"
find . \( -type b -o -type c \) -print0 | sort -z | xargs -0r stat -c '%n %F %t:%T'
echo "## sha256"
# shellcheck disable=SC2086
find . -type f $skip -print0 | sort -z | xargs -0r sha256sum
echo "## xattrs"
find . -mindepth 1 -print0 | sort -z | xargs -0r getfattr -h -d -m - -e hex 2>/dev/null || true
