#!/bin/sh
# Builds the small image the bench harness's smoke test measures: a busybox shell (so a workload
# can run inside it with chroot), nested directories, a symlink, compressible and incompressible
# files. Writes DIR/src (the tree) and DIR/bench.sqsh. Needs mksquashfs and busybox-static.
set -e
dir=${1:?usage: make-bench-image.sh DIR}
src="$dir/src"
rm -rf "$src" "$dir/bench.sqsh"
mkdir -p "$src/bin" "$src/etc" "$src/data/a/b" "$src/data/c"
bb=$(command -v busybox || echo /bin/busybox)
cp "$bb" "$src/bin/busybox"
for t in sh cat ls head; do ln -s busybox "$src/bin/$t"; done
echo "squashroot bench smoke image" > "$src/etc/hello"
i=0
while [ $i -lt 20 ]; do
    seq 1 2000 | sed "s/^/line $i /" > "$src/data/a/text-$i"
    i=$((i + 1))
done
head -c 1500000 /dev/urandom > "$src/data/a/b/random.bin"
head -c 70000 /dev/zero > "$src/data/c/zeros"
ln -s ../a/b/random.bin "$src/data/c/link"
mksquashfs "$src" "$dir/bench.sqsh" -quiet -no-progress -all-root -comp gzip >/dev/null
