#!/bin/sh
# Builds (once) a Debian 12 "minbase" SquashFS image for the runtime tests and prints its path.
# The result is cached in $SQUASHROOT_TEST_CACHE (default /var/cache/squashroot-test) and reused
# while it exists; a half-built image never replaces a good one (built in a temp dir, renamed).
# Mirror: $DEBIAN_MIRROR, else the first deb.debian.org-style URI in the machine's apt sources,
# else http://deb.debian.org/debian. Exit status 77: cannot build here (not root, no mirror).
set -eu
cache=${SQUASHROOT_TEST_CACHE:-/var/cache/squashroot-test}
image="$cache/debian12-minbase.sqsh"
if [ -s "$image" ]; then
    echo "$image"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "debian-minbase: debootstrap needs root" >&2
    exit 77
fi
mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p; s/^deb \(http[^ ]*debian\) bookworm .*/\1/p' \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -n1)
    mirror=${mirror:-http://deb.debian.org/debian}
fi
if ! curl -sfI --max-time 20 "$mirror/dists/bookworm/Release" >/dev/null 2>&1; then
    echo "debian-minbase: mirror $mirror not reachable (set DEBIAN_MIRROR)" >&2
    exit 77
fi
mkdir -p "$cache"
chmod 755 "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The apt cache of the host speeds up a rebuild without reaching the network for every .deb.
debootstrap --variant=minbase --cache-dir=/var/cache/apt/archives bookworm "$work/root" "$mirror" >"$work/log" 2>&1 || {
    tail -n 20 "$work/log" >&2
    echo "debian-minbase: debootstrap from $mirror failed" >&2
    exit 1
}
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
mksquashfs "$work/root" "$work/image.sqsh" -comp zstd -noappend -quiet >/dev/null
mv "$work/image.sqsh" "$image"
echo "$image"
