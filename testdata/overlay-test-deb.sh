#!/bin/sh
# Builds a tiny Debian package for the overlay's dpkg test: it installs /opt/sqpkg/data and
# its postinst gives it to uid/gid 4321 and makes /opt/sqpkg/null (char 1:3), which is what
# an unprivileged overlay must record. Usage: overlay-test-deb.sh OUT.deb
set -eu
out=$1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
chmod 755 "$d"
mkdir -p "$d/DEBIAN" "$d/opt/sqpkg"
echo "packaged data" > "$d/opt/sqpkg/data"
cat > "$d/DEBIAN/control" <<'C'
Package: sqpkg
Version: 1.0
Architecture: all
Maintainer: squashroot tests <tests@squashroot.invalid>
Description: overlay test package
C
cat > "$d/DEBIAN/postinst" <<'P'
#!/bin/sh
set -e
chown 4321:4321 /opt/sqpkg/data
mknod /opt/sqpkg/null c 1 3
P
chmod 755 "$d/DEBIAN/postinst"
dpkg-deb --root-owner-group --build "$d" "$out" >/dev/null
