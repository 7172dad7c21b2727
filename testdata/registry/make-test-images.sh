#!/bin/bash
# make-test-images.sh DIR REGISTRY — build small OCI test images without Docker (GNU tar + umoci)
# and push them with skopeo to REGISTRY (host:port, e.g. 127.0.0.1:5000).
# squashroot's copy of the shared testinfra recipe; additions: PUSH_ONLY (space-separated list of
# remote names, e.g. "busybox:latest layered-a:latest") limits what is pushed, and
# PREFIX/compress:latest (only on a plain-HTTP registry without auth, pushed with curl so the
# blobs keep their exact encoding): one gzip, one zstd and one uncompressed layer.
#
# Pushed (PREFIX=${IMAGE_PREFIX:-test}):
#   PREFIX/busybox:latest      Docker v2 schema 2 manifest, 1 layer (busybox-static + /etc/os-release)
#   PREFIX/busybox:oci         same image as OCI manifest
#   PREFIX/layered-a:latest    busybox layer + shared "common" layer + own layer (/a.txt)
#   PREFIX/layered-b:latest    busybox layer + shared "common" layer + own layer (/b.txt)  -> 2 layers shared with -a
#   PREFIX/whiteout:latest     4 layers: .wh. file + .wh. directory deletion, .wh..wh..opq opaque dir,
#                              file->dir and dir->file replacement; expected tree in /whiteout-expected.txt
#   PREFIX/multiarch:latest    Docker manifest list (linux/amd64 + linux/arm64/v8), :oci = OCI image index;
#                              /arch holds the architecture name (the arm64 image has no runnable binaries)
#   PREFIX/debian:bookworm     only with MAKE_DEBIAN_IMAGE=1: debootstrap --variant=minbase (≈40 s, 120 MB),
#   PREFIX/debian-extra:bookworm   = debian + 1 small layer (shares the big layer)
# Layers are reproducible (fixed mtimes/owners, sorted), so digests are stable across runs.
# Env: REGISTRY_TLS_VERIFY (default false; false also allows plain http), REGISTRY_CREDS=user:pass,
#      REGISTRY_CERT_DIR=dir-with-ca.crt. Writes DIR/images.txt (ref + manifest digest).
set -euo pipefail
umask 022

DIR=${1:?usage: make-test-images.sh DIR REGISTRY}
REG=${2:?usage: make-test-images.sh DIR REGISTRY}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
PREFIX=${IMAGE_PREFIX:-test}
TLS_VERIFY=${REGISTRY_TLS_VERIFY:-false}
EPOCH=1700000000
CREATED=2023-11-14T22:13:20Z

log() { echo "make-test-images: $*" >&2; }

ensure_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || { log "missing packages ${missing[*]} and not root"; exit 1; }
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends)
  "${apt[@]}" "${missing[@]}" >/dev/null || { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null && "${apt[@]}" "${missing[@]}" >/dev/null; }
}
pkgs=(umoci skopeo busybox-static tar jq ca-certificates)
if [ "${MAKE_DEBIAN_IMAGE:-0}" = 1 ]; then pkgs+=(debootstrap); fi
ensure_pkgs "${pkgs[@]}"

W="$DIR/work"; L="$DIR/oci"
rm -rf "$W" "$L"; mkdir -p "$W"
umoci init --layout "$L"

# mklayer SRC OUT.tar : reproducible layer tar of SRC's contents (names without ./ prefix, like docker)
mklayer() {
  local src=$1 out=$2
  (cd "$src" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort > "$out.list")
  tar -C "$src" --create --file "$out" --format=gnu --sort=name --numeric-owner \
      --owner=0 --group=0 --mtime=@$EPOCH -T "$out.list"
  rm -f "$out.list"
}
# mklayer_keepowner SRC OUT.tar : same, but keeps numeric uid/gid from the filesystem
mklayer_keepowner() {
  local src=$1 out=$2
  (cd "$src" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort > "$out.list")
  tar -C "$src" --create --file "$out" --format=gnu --sort=name --numeric-owner --mtime=@$EPOCH -T "$out.list"
  rm -f "$out.list"
}
addlayer() { # addlayer TAG TAR DESCRIPTION
  umoci raw add-layer --image "$L:$1" --history.created "$CREATED" --history.created_by "testinfra: $3" "$2"
}
newimage() { # newimage TAG ARCH
  umoci new --image "$L:$1"
  umoci config --image "$L:$1" --no-history --created "$CREATED" --os linux --architecture "$2" \
    --author testinfra --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.cmd /bin/sh --config.workingdir /
}
cfg() { local tag=$1; shift; umoci config --image "$L:$tag" --no-history --created "$CREATED" "$@"; }

# ---------- busybox base layer ----------
B="$W/busybox"; mkdir -p "$B"/{bin,etc,tmp,root,proc,sys,dev,mnt,home,var,run}
cp /bin/busybox "$B/bin/busybox"
for a in $("$B/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$B/bin/$a"; done
printf '%s\n' 'NAME="TestBusybox"' 'ID=testbusybox' 'VERSION_ID=1.35' 'PRETTY_NAME="Test Busybox 1.35"' > "$B/etc/os-release"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user1000:x:1000:1000:user:/home/user1000:/bin/sh' \
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' > "$B/etc/passwd"
printf '%s\n' 'root:x:0:' 'user1000:x:1000:' 'nogroup:x:65534:' > "$B/etc/group"
chmod 1777 "$B/tmp"; chmod 700 "$B/root"
mklayer "$B" "$W/busybox.tar"
newimage busybox amd64
addlayer busybox "$W/busybox.tar" "busybox-static rootfs"
cfg busybox --config.env TESTIMAGE=busybox

# ---------- two images sharing two layers ----------
C="$W/common"; mkdir -p "$C/usr/share/testinfra" "$C/home/user1000"
# 256 KiB of deterministic incompressible data
head -c 262144 /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
  -iv 00000000000000000000000000000000 > "$C/usr/share/testinfra/blob.bin"
echo "owned by 1000" > "$C/home/user1000/owned.txt"
if [ "$(id -u)" = 0 ]; then chown -R 1000:1000 "$C/home/user1000"; mklayer_keepowner "$C" "$W/common.tar"; else mklayer "$C" "$W/common.tar"; fi
umoci tag --image "$L:busybox" layered-base
addlayer layered-base "$W/common.tar" "shared layer"
for x in a b; do
  mkdir -p "$W/own-$x"; echo "layer $x" > "$W/own-$x/$x.txt"
  mklayer "$W/own-$x" "$W/own-$x.tar"
  umoci tag --image "$L:layered-base" "layered-$x"
  addlayer "layered-$x" "$W/own-$x.tar" "own layer $x"
done
cfg layered-a --config.env TESTIMAGE=layered-a --config.entrypoint /bin/cat --config.cmd /a.txt
cfg layered-b --config.env TESTIMAGE=layered-b --config.workingdir /tmp --config.user 1000:1000
umoci rm --image "$L:layered-base"

# ---------- whiteouts ----------
L2="$W/wh-l2"; mkdir -p "$L2/data/subdir" "$L2/opt/dir/sub" "$L2/opt/dir-to-file"
echo old > "$L2/data/old.txt"; echo keep > "$L2/data/keep.txt"; echo deep > "$L2/data/subdir/deep.txt"
echo x > "$L2/opt/dir/x"; echo y > "$L2/opt/dir/y"; echo z0 > "$L2/opt/dir/sub/z0"
echo "i am a file" > "$L2/opt/file-to-dir"; echo inner > "$L2/opt/dir-to-file/inner.txt"
mklayer "$L2" "$W/wh-l2.tar"
L3="$W/wh-l3"; mkdir -p "$L3/data" "$L3/opt/dir" "$L3/opt/file-to-dir"
: > "$L3/data/.wh.old.txt"            # delete a file of a lower layer
: > "$L3/data/.wh.subdir"             # delete a whole directory of a lower layer
: > "$L3/opt/dir/.wh..wh..opq"        # opaque: hide everything below /opt/dir from lower layers
echo z > "$L3/opt/dir/z"
echo "now a dir" > "$L3/opt/file-to-dir/inner2.txt"   # file -> directory
echo "now a file" > "$L3/opt/dir-to-file"              # directory -> file
mklayer "$L3" "$W/wh-l3.tar"
L4="$W/wh-l4"; mkdir -p "$L4"
printf '%s\n' '/data/keep.txt' '/opt/dir-to-file' '/opt/dir/z' '/opt/file-to-dir/inner2.txt' > "$L4/whiteout-expected.txt"
mklayer "$L4" "$W/wh-l4.tar"
umoci tag --image "$L:busybox" whiteout
addlayer whiteout "$W/wh-l2.tar" "lower files"
addlayer whiteout "$W/wh-l3.tar" "whiteouts and replacements"
addlayer whiteout "$W/wh-l4.tar" "expected listing"
cfg whiteout --config.env TESTIMAGE=whiteout

# ---------- multi-arch index ----------
for arch in amd64 arm64; do
  mkdir -p "$W/arch-$arch"; echo "$arch" > "$W/arch-$arch/arch"; mklayer "$W/arch-$arch" "$W/arch-$arch.tar"
done
umoci tag --image "$L:busybox" multi-amd64
addlayer multi-amd64 "$W/arch-amd64.tar" "arch marker"
cfg multi-amd64 --config.env TESTIMAGE=multiarch
newimage multi-arm64 arm64
addlayer multi-arm64 "$W/arch-arm64.tar" "arch marker"
cfg multi-arm64 --config.env TESTIMAGE=multiarch
/usr/bin/python3 - "$L" <<'EOF' 2>/dev/null || jq_index=1
import json, hashlib, sys
d = sys.argv[1]; idx = json.load(open(d + '/index.json'))
by = {m['annotations']['org.opencontainers.image.ref.name']: m for m in idx['manifests']}
def desc(tag, arch, variant=None):
    m = {k: v for k, v in by[tag].items() if k != 'annotations'}
    m['platform'] = {'architecture': arch, 'os': 'linux', **({'variant': variant} if variant else {})}
    return m
ii = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json',
      'manifests': [desc('multi-amd64', 'amd64'), desc('multi-arm64', 'arm64', 'v8')]}
b = json.dumps(ii, separators=(',', ':')).encode(); h = hashlib.sha256(b).hexdigest()
open(f'{d}/blobs/sha256/{h}', 'wb').write(b)
idx['manifests'] = [m for m in idx['manifests'] if m.get('annotations', {}).get('org.opencontainers.image.ref.name') != 'multiarch']
idx['manifests'].append({'mediaType': 'application/vnd.oci.image.index.v1+json', 'digest': 'sha256:' + h,
                         'size': len(b), 'annotations': {'org.opencontainers.image.ref.name': 'multiarch'}})
json.dump(idx, open(d + '/index.json', 'w'))
EOF
if [ "${jq_index:-0}" = 1 ]; then  # no python3: same with jq + sha256sum
  m1=$(jq -c '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]=="multi-amd64")|del(.annotations)|.platform={architecture:"amd64",os:"linux"}' "$L/index.json")
  m2=$(jq -c '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]=="multi-arm64")|del(.annotations)|.platform={architecture:"arm64",os:"linux",variant:"v8"}' "$L/index.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s]}' "$m1" "$m2" > "$W/index.json"
  h=$(sha256sum "$W/index.json" | cut -d' ' -f1); cp "$W/index.json" "$L/blobs/sha256/$h"
  jq -c --arg d "sha256:$h" --argjson s "$(stat -c %s "$W/index.json")" \
    '.manifests += [{"mediaType":"application/vnd.oci.image.index.v1+json","digest":$d,"size":$s,"annotations":{"org.opencontainers.image.ref.name":"multiarch"}}]' \
    "$L/index.json" > "$W/idx.new" && mv "$W/idx.new" "$L/index.json"
fi

# ---------- optional Debian minbase ----------
if [ "${MAKE_DEBIAN_IMAGE:-0}" = 1 ]; then
  D="$DIR/cache/debian-bookworm"
  if [ ! -s "$DIR/cache/debian.tar" ]; then
    rm -rf "$D"; mkdir -p "$DIR/cache"
    log "debootstrap --variant=minbase bookworm (takes ~40 s)"
    debootstrap --variant=minbase bookworm "$D" http://deb.debian.org/debian >/dev/null
    rm -rf "$D"/var/cache/apt/archives/*.deb "$D"/var/lib/apt/lists/* "$D"/dev/* "$D"/proc/* "$D"/sys/*
    (cd "$D" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort > "$DIR/cache/list")
    tar -C "$D" --create --file "$DIR/cache/debian.tar" --format=gnu --sort=name --numeric-owner -T "$DIR/cache/list"
    rm -rf "$D" "$DIR/cache/list"
  fi
  newimage debian amd64
  addlayer debian "$DIR/cache/debian.tar" "debootstrap minbase bookworm"
  cfg debian --config.cmd /bin/bash --config.env TESTIMAGE=debian
  mkdir -p "$W/deb-extra/etc"; echo extra > "$W/deb-extra/etc/testinfra-extra"; mklayer "$W/deb-extra" "$W/deb-extra.tar"
  umoci tag --image "$L:debian" debian-extra
  addlayer debian-extra "$W/deb-extra.tar" "extra layer"
fi
umoci gc --layout "$L"

# ---------- push ----------
sk=(skopeo copy -q --retry-times 3 --dest-tls-verify="$TLS_VERIFY")
if [ -n "${REGISTRY_CREDS:-}" ]; then sk+=(--dest-creds "$REGISTRY_CREDS"); fi
if [ -n "${REGISTRY_CERT_DIR:-}" ]; then sk+=(--dest-cert-dir "$REGISTRY_CERT_DIR"); fi
ins=(skopeo inspect --raw --tls-verify="$TLS_VERIFY")
if [ -n "${REGISTRY_CREDS:-}" ]; then ins+=(--creds "$REGISTRY_CREDS"); fi
if [ -n "${REGISTRY_CERT_DIR:-}" ]; then ins+=(--cert-dir "$REGISTRY_CERT_DIR"); fi

: > "$DIR/images.txt"
wanted() { [ -z "${PUSH_ONLY:-}" ] || [[ " $PUSH_ONLY " == *" $1 "* ]]; }
push() { # push LOCALTAG REMOTE [extra skopeo args]
  local tag=$1 ref="$REG/$PREFIX/$2"; shift 2
  wanted "${ref#$REG/$PREFIX/}" || return 0
  "${sk[@]}" "$@" "oci:$L:$tag" "docker://$ref" >/dev/null
  echo "$ref sha256:$("${ins[@]}" "docker://$ref" | sha256sum | cut -d' ' -f1)" | tee -a "$DIR/images.txt"
}
push busybox busybox:latest --format v2s2
push busybox busybox:oci
push layered-a layered-a:latest --format v2s2
push layered-b layered-b:latest --format v2s2
push whiteout whiteout:latest --format v2s2
push multiarch multiarch:latest --all --format v2s2
push multiarch multiarch:oci --all
if [ "${MAKE_DEBIAN_IMAGE:-0}" = 1 ]; then
  push debian debian:bookworm --format v2s2
  push debian-extra debian-extra:bookworm --format v2s2
fi

# ---------- gzip + zstd + uncompressed layers (plain HTTP registry without auth only) ----------
# skopeo would recompress uncompressed layers, so the blobs are uploaded with curl (monolithic
# POST + PUT of the distribution spec) to keep each layer's exact media type.
if [ "$TLS_VERIFY" = false ] && [ -z "${REGISTRY_CREDS:-}" ] && wanted compress:latest; then
  mkdir -p "$W/z/zstd" "$W/u/plain"
  echo "from a zstd layer" > "$W/z/zstd/hello.txt"
  echo "from an uncompressed layer" > "$W/u/plain/hello.txt"
  mklayer "$W/z" "$W/z.tar"; mklayer "$W/u" "$W/u.tar"
  gzip -n -c "$W/busybox.tar" > "$W/l1.blob"
  zstd -q -19 -c "$W/z.tar" > "$W/l2.blob"
  cp "$W/u.tar" "$W/l3.blob"
  /usr/bin/python3 - "$W" "$CREATED" <<'EOF'
import hashlib, json, sys
w, created = sys.argv[1], sys.argv[2]
sha = lambda b: 'sha256:' + hashlib.sha256(b).hexdigest()
layers = [('l1.blob', 'busybox.tar', 'application/vnd.oci.image.layer.v1.tar+gzip'),
          ('l2.blob', 'z.tar', 'application/vnd.oci.image.layer.v1.tar+zstd'),
          ('l3.blob', 'u.tar', 'application/vnd.oci.image.layer.v1.tar')]
cfg = {'created': created, 'architecture': 'amd64', 'os': 'linux',
       'config': {'Env': ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'TESTIMAGE=compress'], 'Cmd': ['/bin/sh']},
       'rootfs': {'type': 'layers', 'diff_ids': [sha(open(f'{w}/{t}', 'rb').read()) for _, t, _ in layers]}}
cb = json.dumps(cfg, separators=(',', ':')).encode()
open(f'{w}/config.blob', 'wb').write(cb)
m = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
     'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': sha(cb), 'size': len(cb)},
     'layers': []}
for b, _, mt in layers:
    data = open(f'{w}/{b}', 'rb').read()
    m['layers'].append({'mediaType': mt, 'digest': sha(data), 'size': len(data)})
open(f'{w}/manifest.json', 'wb').write(json.dumps(m, separators=(',', ':')).encode())
EOF
  upload() { # upload FILE
    local d loc
    d="sha256:$(sha256sum "$1" | cut -d' ' -f1)"
    loc=$(curl -fsS -X POST -D - -o /dev/null "http://$REG/v2/$PREFIX/compress/blobs/uploads/" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
    case "$loc" in http*) ;; *) loc="http://$REG$loc" ;; esac
    case "$loc" in *\?*) loc="$loc&digest=$d" ;; *) loc="$loc?digest=$d" ;; esac
    curl -fsS -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$loc" -o /dev/null
  }
  for f in config l1 l2 l3; do upload "$W/$f.blob"; done
  curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "@$W/manifest.json" \
    "http://$REG/v2/$PREFIX/compress/manifests/latest" -o /dev/null
  echo "$REG/$PREFIX/compress:latest sha256:$(sha256sum "$W/manifest.json" | cut -d' ' -f1)" | tee -a "$DIR/images.txt"
fi
rm -rf "$W"
log "done; OCI layout kept in $L"
