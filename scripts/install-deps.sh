#!/bin/sh
# Installs the Debian 12 packages squashroot, its tests and its benchmarks use. Idempotent.
set -e
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (apt-get)" >&2
    exit 1
fi
PKGS="openjdk-17-jdk-headless maven libfuse2 fuse3 squashfs-tools squashfuse fuse-overlayfs
      util-linux attr xz-utils zstd busybox-static fio python3-fusepy
      docker-registry skopeo umoci apache2-utils openssl curl jq python3 ca-certificates
      slurmctld slurmd slurm-client munge debootstrap btrfs-progs uidmap acl"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt-get -o DPkg::Lock::Timeout=300 update -q
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q $missing
fi
# An ordinary user for the unprivileged tests (user namespaces, fusermount).
id sqtest >/dev/null 2>&1 || useradd -m -s /bin/sh sqtest
