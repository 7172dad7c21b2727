#!/bin/bash
# Counts the FUSE requests every FUSE mount receives while a command runs, per opcode, with the
# mean time from the kernel sending a request to the server's reply arriving (the round trip a
# caller waits for). Reads the kernel's fuse:fuse_request_send/_end tracepoints (recent kernels; this project's 6.18 has them) in a
# tracing instance of its own, so other tracing on the machine is left alone. Run as root.
#
# Usage: bench/overlay/fuse-requests.sh COMMAND [ARG...]
# Prints one line per mount and opcode: MOUNTPOINT OPCODE COUNT MEAN_US, then the totals per mount.
# docs/benchmarks.md ("Untar: FUSE requests per file") uses it on overlay-bench's untar.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "fuse-requests: run as root (kernel tracing)" >&2; exit 1; }
T=/sys/kernel/tracing
[ -d "$T/events" ] || mount -t tracefs nodev "$T"
[ -d "$T/events/fuse/fuse_request_send" ] || {
    echo "fuse-requests: this kernel has no fuse:fuse_request_send tracepoint" >&2; exit 1; }
I="$T/instances/fuse-requests.$$"
mkdir "$I"
out=$(mktemp)
cleanup() { echo 0 > "$I/events/fuse/enable" 2>/dev/null || true; rmdir "$I" 2>/dev/null || true; rm -f "$out"; }
trap cleanup EXIT
echo 65536 > "$I/buffer_size_kb"   # per CPU; about 150 bytes a request
echo 1 > "$I/events/fuse/fuse_request_send/enable"
echo 1 > "$I/events/fuse/fuse_request_end/enable"
rc=0
"$@" || rc=$?
echo 0 > "$I/events/fuse/enable"
cat "$I/trace" > "$out"
# connection = the superblock's dev_t in the kernel's encoding (major << 20 | minor); FUSE
# mounts have major 0, so it is the minor that /proc/self/mountinfo shows as 0:MINOR.
awk -v mi=/proc/self/mountinfo '
BEGIN {
    while ((getline line < mi) > 0) {
        split(line, f, " ")
        split(f[3], d, ":")
        if (d[1] == 0) mnt[d[2]] = f[5]
    }
}
/fuse_request_send:/ {
    ts = $0; sub(/:.*/, "", ts); n = split(ts, tf, " "); t = tf[n] + 0
    match($0, /connection [0-9]+/); c = substr($0, RSTART + 11, RLENGTH - 11)
    match($0, /req [0-9]+/); r = substr($0, RSTART + 4, RLENGTH - 4)
    match($0, /\(FUSE_[A-Z_0-9]+\)/); op = substr($0, RSTART + 6, RLENGTH - 7)
    sent[c " " r] = t; opof[c " " r] = op
    count[c " " op]++; total[c]++
}
/fuse_request_end:/ {
    ts = $0; sub(/:.*/, "", ts); n = split(ts, tf, " "); t = tf[n] + 0
    match($0, /connection [0-9]+/); c = substr($0, RSTART + 11, RLENGTH - 11)
    match($0, /req [0-9]+/); r = substr($0, RSTART + 4, RLENGTH - 4)
    k = c " " r
    if (k in sent) { op = opof[k]; wait[c " " op] += t - sent[k]; done[c " " op]++; delete sent[k] }
}
END {
    for (k in count) {
        split(k, p, " "); m = (p[1] in mnt) ? mnt[p[1]] : "conn" p[1]
        us = done[k] ? wait[k] / done[k] * 1e6 : 0
        printf "%s %s %d %.0f\n", m, p[2], count[k], us
    }
    for (c in total) {
        m = (c in mnt) ? mnt[c] : "conn" c
        printf "%s TOTAL %d -\n", m, total[c]
    }
}' "$out" | sort -k1,1 -k3,3nr
awk '/^overrun:/ && $2 > 0 { print "fuse-requests: trace buffer overran (" $2 " events lost): counts are low" > "/dev/stderr" }' \
    "$I"/per_cpu/cpu*/stats
exit $rc
