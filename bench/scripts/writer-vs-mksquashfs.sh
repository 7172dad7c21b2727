#!/bin/sh
# squashroot mksquashfs (the Java writer) against squashfs-tools' mksquashfs, same source, same
# compressor and level, same thread count; and a tar layer converted in one pass against
# "tar -x, then mksquashfs". Prints one Markdown table row per run; quote ratios, not seconds
# (the machine may be shared).
#
#   bench/scripts/writer-vs-mksquashfs.sh [WORKDIR] [RUNS]
#
# SRC (default: a >= 1 GiB copy of parts of /usr made in WORKDIR/src), THREADS (2), TAR_RUNS (RUNS),
# CONFIGS (";"-separated mksquashfs compressor flags, default "-comp gzip;-comp zstd -Xcompression-level 3").
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd -P)
work=${1:-/tmp/squashroot-writer-bench}
runs=${2:-2}
threads=${THREADS:-2}
configs=${CONFIGS:-"-comp gzip;-comp zstd -Xcompression-level 3"}
sq="$here/bin/squashroot"
mkdir -p "$work"
src=${SRC:-$work/src}
if [ ! -d "$src" ]; then
    mkdir -p "$src"
    cp -a /usr/lib/x86_64-linux-gnu "$src/lib"
    cp -a /usr/bin "$src/bin"
    for d in doc locale perl i18n; do cp -a "/usr/share/$d" "$src/" 2>/dev/null || true; done
fi
echo "source: $src, $(du -s --apparent-size -B1M "$src" | cut -f1) MiB, $(find "$src" | wc -l) entries; threads: $threads"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(mksquashfs -version | head -1)"

# time_run NAME COMMAND...: wall seconds and user+sys CPU seconds of COMMAND
time_run() {
    name=$1
    shift
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    read -r wall user sys < "$work/time"
    cpu=$(echo "$user + $sys" | bc)
    printf '| %s | %s | %s | %s |' "$name" "$wall" "$cpu" "$load"
}

echo
echo "| config | tool | wall s | CPU s | load | bytes |"
echo "| --- | --- | --- | --- | --- | --- |"
IFS=';'
for cfg in $configs; do
    unset IFS
    i=0
    while [ "$i" -lt "$runs" ]; do
        i=$((i + 1))
        load=$(cut -d' ' -f1 /proc/loadavg)
        # alternate which tool goes first, so drift on a shared machine hits both alike
        for tool in $( [ $((i % 2)) -eq 1 ] && echo "mksquashfs squashroot" || echo "squashroot mksquashfs"); do
            out="$work/$tool.sqsh"
            rm -f "$out"
            if [ "$tool" = mksquashfs ]; then
                # shellcheck disable=SC2086
                row=$(time_run "$cfg" mksquashfs "$src" "$out" -noappend -no-progress -quiet -processors "$threads" $cfg)
            else
                # shellcheck disable=SC2086
                row=$(time_run "$cfg" "$sq" mksquashfs "$src" "$out" -processors "$threads" $cfg)
            fi
            echo "$row" | sed "s/^| $cfg |/| $cfg | $tool |/" | tr -d '\n'
            echo " $(stat -c %s "$out") |"
        done
    done
    IFS=';'
done
unset IFS

# Layer tar -> image: one pass vs extract + mksquashfs (zstd 3, the cheap-compressor case where
# the pipeline's disk round trip matters most).
tar=$work/layer.tar.gz
# gzip -1 only to make the input quickly; decompression speed hardly depends on the level.
[ -f "$tar" ] || tar -C "$src" -cf - . | gzip -1 > "$tar"
echo
echo "| tar -> image ($(stat -c %s "$tar") bytes gzip) | wall s | CPU s | load | bytes |"
echo "| --- | --- | --- | --- | --- |"
i=0
while [ "$i" -lt "${TAR_RUNS:-$runs}" ]; do
    i=$((i + 1))
    load=$(cut -d' ' -f1 /proc/loadavg)
    rm -f "$work/t1.sqsh" "$work/t2.sqsh"
    time_run "squashroot mksquashfs layer.tar.gz" "$sq" mksquashfs "$tar" "$work/t1.sqsh" \
        -processors "$threads" -comp zstd -Xcompression-level 3
    echo " $(stat -c %s "$work/t1.sqsh") |"
    rm -rf "$work/x"
    cat > "$work/pipeline.sh" <<EOS
mkdir "$work/x" && tar -C "$work/x" -xzf "$tar" && mksquashfs "$work/x" "$work/t2.sqsh" -noappend -no-progress -quiet -processors $threads -comp zstd -Xcompression-level 3 && rm -rf "$work/x"
EOS
    time_run "tar -xzf + mksquashfs + rm" sh "$work/pipeline.sh"
    echo " $(stat -c %s "$work/t2.sqsh") |"
done
