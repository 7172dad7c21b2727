#!/bin/bash
# import-bench.sh WORKDIR — first import, re-import and sibling import of a >=500 MB image from a
# local registry: squashroot (layer cache) vs the pipeline enroot runs for `enroot import`
# (curl download + gunzip + zstd into its digest cache, parallel tar extraction per layer,
# whiteout conversion as enroot-aufs2ovlfs does it, overlayfs of the layers, mksquashfs with
# enroot's default ENROOT_SQUASH_OPTIONS). Run as root (overlay mount, mknod for whiteouts).
# Prints a Markdown table of wall times and ratios; docs/benchmarks.md quotes it.
set -euo pipefail
W=${1:?usage: import-bench.sh WORKDIR}
mkdir -p "$W"; W=$(cd "$W" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T="$ROOT/testdata/registry"
PORT=${BENCH_REGISTRY_PORT:-15900}
SRC=${BENCH_SOURCE:-/usr/share}
SQUASH_OPTS=${ENROOT_SQUASH_OPTIONS:--comp lzo -noD -exit-on-error}
log() { echo "import-bench: $*" >&2; }
now() { date +%s.%N; }

# ---- registry and images: base = SRC (one big layer), A and B = base + one small own layer ----
REGISTRY_HTTP_PORT=$PORT REGISTRY_HTTPS_PORT=$((PORT + 1)) REGISTRY_TOKEN=0 "$T/registry-up.sh" "$W/reg" > /dev/null
trap '"$T/registry-down.sh" "$W/reg" > /dev/null 2>&1 || true; umount "$W"/enroot-tmp/rootfs 2>/dev/null || true' EXIT
REG=127.0.0.1:$PORT
if [ ! -e "$W/pushed" ]; then
  log "building images from $SRC ($(du -sh "$SRC" | cut -f1))"
  rm -rf "$W/oci" "$W/l"; mkdir -p "$W/l"
  umoci init --layout "$W/oci"
  umoci new --image "$W/oci:base"
  umoci config --image "$W/oci:base" --os linux --architecture amd64 --config.cmd /bin/sh
  tar -C / --create --file "$W/l/base.tar" --sort=name --numeric-owner "${SRC#/}"
  umoci raw add-layer --image "$W/oci:base" "$W/l/base.tar"
  for x in a b; do
    mkdir -p "$W/l/$x/etc"; head -c 4194304 /dev/urandom > "$W/l/$x/etc/bench-$x.bin"
    tar -C "$W/l/$x" --create --file "$W/l/$x.tar" etc
    umoci tag --image "$W/oci:base" "img-$x"
    umoci raw add-layer --image "$W/oci:img-$x" "$W/l/$x.tar"
    skopeo copy -q --dest-tls-verify=false "oci:$W/oci:img-$x" "docker://$REG/bench/img-$x:latest"
  done
  rm -rf "$W/l"; touch "$W/pushed"
fi

# ---- squashroot ----
SQ="$ROOT/bin/squashroot"
"$SQ" version > /dev/null   # builds the jar if missing
sq_import() { # sq_import IMAGE OUT
  rm -f "$2"
  ENROOT_ALLOW_HTTP=y SQUASHROOT_CACHE_PATH="$W/sq-cache" ENROOT_SQUASH_OPTIONS="$SQUASH_OPTS" \
    "$SQ" import -o "$2" "docker://$REG/bench/$1:latest" 2> "$W/sq.log" > /dev/null
}

# ---- enroot's pipeline, scripted ----
E="$W/enroot-cache"
ACCEPT='Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'
fetch_layer() { # fetch_layer REPO HEX  (enroot's docker::_download_extract)
  local repo=$1 hex=$2 tmp sum
  [ -e "$E/$hex" ] && return 0
  tmp=$(mktemp -p "$E" "$hex.XXXXXX")
  curl -fsSL "http://$REG/v2/$repo/blobs/sha256:$hex" | tee >(sha256sum | cut -d' ' -f1 > "$tmp.sum") \
    | gzip -d -f -c | zstd -T1 -q -f -1 -o "$tmp"
  wait $!   # the process substitution computing the checksum
  sum=$(cat "$tmp.sum"); rm -f "$tmp.sum"
  [ "$sum" = "$hex" ] || { echo "checksum mismatch $hex" >&2; rm -f "$tmp"; return 1; }
  mv -n "$tmp" "$E/$hex"
}
export -f fetch_layer; export E REG
aufs2ovlfs() { # aufs2ovlfs DIR  (enroot-aufs2ovlfs: .wh. files -> char 0:0, opaque -> xattr)
  local d=$1 f
  find "$d" -name '.wh.*' -print0 | while IFS= read -r -d '' f; do
    local base=${f##*/} dir=${f%/*}
    if [ "$base" = ".wh..wh..opq" ]; then setfattr -n trusted.overlay.opaque -v y "$dir"; rm -f "$f"
    else rm -f "$f"; mknod "$dir/${base#.wh.}" c 0 0; fi
  done
}
enroot_import() { # enroot_import IMAGE OUT
  local repo=bench/$1 out=$2 m layers n i tmp lowers
  rm -f "$out"; mkdir -p "$E"
  m=$(curl -fsSL -H "$ACCEPT" "http://$REG/v2/$repo/manifests/latest")
  mapfile -t layers < <(jq -r '.layers[].digest | ltrimstr("sha256:")' <<< "$m" | tac)
  printf '%s\n' "${layers[@]}" | xargs -P 10 -I{} bash -c "fetch_layer $repo {}"
  tmp="$W/enroot-tmp"; rm -rf "$tmp"; mkdir -p "$tmp/0/etc" "$tmp/rootfs"
  for i in "${!layers[@]}"; do mkdir "$tmp/$((i + 1))"; done
  for i in "${!layers[@]}"; do echo "$((i + 1)) ${layers[$i]}"; done \
    | xargs -P "$(nproc)" -n 2 sh -c 'tar -C "$0/$1" --warning=no-timestamp --anchored --exclude="dev/*" --use-compress-program=zstd -pxf "$E/$2"' "$tmp"
  for i in "${!layers[@]}"; do aufs2ovlfs "$tmp/$((i + 1))"; done
  printf '# enroot-provenance: docker://%s#%s:latest\n' "$REG" "$repo" > "$tmp/0/etc/rc"
  lowers=0; for i in "${!layers[@]}"; do lowers="$lowers:$((i + 1))"; done
  (cd "$tmp" && mount -t overlay overlay -o "lowerdir=$lowers" rootfs)
  mksquashfs "$tmp/rootfs" "$out" -all-root -no-progress -processors "$(nproc)" $SQUASH_OPTS > /dev/null
  umount "$tmp/rootfs"; rm -rf "$tmp"
}

secs() { # secs 1m2.500s -> 62.500
  local m=${1%%m*} s=${1#*m}; echo "$m * 60 + ${s%s}" | bc
}
cpu() { # cpu VAR: user+sys CPU seconds of this shell's finished children so far
  # (`times` must run in this shell, not in a $(...) subshell, which has no children yet)
  local u s; times > "$W/times"; read -r u s < <(tail -1 "$W/times")
  printf -v "$1" '%s' "$(echo "$(secs "$u") + $(secs "$s")" | bc)"
}
run() { # run KEY COMMAND... : sets R[KEY] (wall s) and C[KEY] (children's CPU s)
  local key=$1 s e c0 c1; shift
  cpu c0; s=$(now); "$@"; e=$(now); cpu c1
  R[$key]=$(echo "$e - $s" | bc); C[$key]=$(echo "$c1 - $c0" | bc)
}
rm -rf "$W/sq-cache" "$E"; sync
declare -A R C
run sq_first sq_import img-a "$W/sq-a.sqsh"
run sq_again sq_import img-a "$W/sq-a2.sqsh"
run sq_sibling sq_import img-b "$W/sq-b.sqsh"
run en_first enroot_import img-a "$W/en-a.sqsh"
run en_again enroot_import img-a "$W/en-a2.sqsh"
run en_sibling enroot_import img-b "$W/en-b.sqsh"
size=$(du -sh "$SRC" | cut -f1)
ratio() { echo "scale=3; $1 / $2" | bc; }
cat <<EOT
| step ($size image, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)) | squashroot wall s (CPU s) | enroot pipeline wall s (CPU s) | squashroot / enroot, wall (CPU) |
| --- | --- | --- | --- |
| first import (empty caches) | ${R[sq_first]} (${C[sq_first]}) | ${R[en_first]} (${C[en_first]}) | $(ratio "${R[sq_first]}" "${R[en_first]}") ($(ratio "${C[sq_first]}" "${C[en_first]}")) |
| re-import (all layers cached) | ${R[sq_again]} (${C[sq_again]}) | ${R[en_again]} (${C[en_again]}) | $(ratio "${R[sq_again]}" "${R[en_again]}") ($(ratio "${C[sq_again]}" "${C[en_again]}")) |
| sibling (all but top layer cached) | ${R[sq_sibling]} (${C[sq_sibling]}) | ${R[en_sibling]} (${C[en_sibling]}) | $(ratio "${R[sq_sibling]}" "${R[en_sibling]}") ($(ratio "${C[sq_sibling]}" "${C[en_sibling]}")) |
| re-import / first import | $(ratio "${R[sq_again]}" "${R[sq_first]}") ($(ratio "${C[sq_again]}" "${C[sq_first]}")) | $(ratio "${R[en_again]}" "${R[en_first]}") ($(ratio "${C[en_again]}" "${C[en_first]}")) | |
EOT
ls -l "$W"/sq-a.sqsh "$W"/en-a.sqsh >&2
