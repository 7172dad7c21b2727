#!/bin/sh
# One command from a fresh Debian 12 machine to a running container:
#   1. installs the packages squashroot needs (as root),
#   2. builds the project,
#   3. makes a small demo image (a busybox rootfs) with squashroot's own SquashFS writer,
#   4. runs the main job: starts a container from that image by mounting it through FUSE
#      (no extraction), as an ordinary user when one is available.
set -e
here=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$here"

if [ "$(id -u)" -eq 0 ]; then
    scripts/install-deps.sh
fi
echo "==> building"
mvn -B -q -ntp -DskipTests package

demo=${SQUASHROOT_DEMO_DIR:-$here/demo}
mkdir -p "$demo"
rootfs="$demo/rootfs"
if [ ! -x "$rootfs/bin/busybox" ]; then
    echo "==> making a busybox rootfs in $rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" \
             "$rootfs/tmp" "$rootfs/root" "$rootfs/home"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in $("$rootfs/bin/busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
    done
    printf 'NAME="squashroot demo"\nID=busybox\nPRETTY_NAME="squashroot demo (busybox)"\n' \
        > "$rootfs/etc/os-release"
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
    printf 'root:x:0:\n' > "$rootfs/etc/group"
    chmod 1777 "$rootfs/tmp"
fi
image="$demo/demo.sqsh"
echo "==> writing $image with squashroot mksquashfs"
rm -f "$image"
bin/squashroot mksquashfs "$rootfs" "$image" -comp zstd -all-root
chmod 644 "$image"
bin/squashroot info "$image"

echo "==> starting a container from $image (fuse mode: mounted, not extracted)"
run_as=""
if [ "$(id -u)" -eq 0 ] && id sqtest >/dev/null 2>&1 \
   && runuser -u sqtest -- test -w /dev/fuse -a -x "$here/bin/squashroot" -a -r "$image" 2>/dev/null; then
    # The normal case on a cluster is an ordinary user: show that when this checkout and
    # /dev/fuse allow it (a checkout under /root does not); otherwise run as ourselves.
    run_as="runuser -u sqtest -- env HOME=/home/sqtest"
fi
$run_as "$here/bin/squashroot" start --mount-mode=fuse "$image" \
    sh -c 'cat /etc/os-release; echo "uid in container: $(id -u)"; ls /'
echo "==> done: bin/squashroot --help lists every command"
