#!/bin/sh
# Makes a minimal root filesystem from busybox-static in directory $1 (which must not exist):
# /bin/busybox and its applet links, /etc/passwd, /etc/group, /etc/os-release, /root, /tmp.
# With $2 given, also squashes it into image $2 with mksquashfs (-all-root, as enroot's images).
set -eu
dir=$1
bb=$(command -v busybox)
case "$(file -b "$bb" 2>/dev/null || echo static)" in
*dynamic*) echo "busybox-rootfs: $bb is not static (install busybox-static)" >&2; exit 1 ;;
esac
mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" "$dir/etc" "$dir/root" "$dir/tmp" \
    "$dir/proc" "$dir/sys" "$dir/dev" "$dir/home"
chmod 1777 "$dir/tmp"
cp "$bb" "$dir/bin/busybox"
for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
cat > "$dir/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$dir/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
G
cat > "$dir/etc/os-release" <<'O'
NAME="squashroot busybox"
ID=busybox
PRETTY_NAME="squashroot test busybox"
O
if [ $# -ge 2 ]; then
    mksquashfs "$dir" "$2" -all-root -noappend -quiet -comp gzip >/dev/null
fi
