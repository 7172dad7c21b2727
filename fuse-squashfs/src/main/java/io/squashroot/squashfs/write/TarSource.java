package io.squashroot.squashfs.write;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A tar stream (ustar, GNU and PAX: long names, hard links, sparse members, SCHILY/LIBARCHIVE
 * xattrs), optionally gzip-, zstd-, xz- or bzip2-compressed, read once from start to end. Each
 * member's data goes straight into the data area as it is read; only the tree is kept.
 *
 * <p>Later members replace earlier ones of the same name, as extraction would. Hard links must
 * name a member that came before, inside the tree. Member names are read as UTF-8.
 */
final class TarSource {
    private final InputStream in;
    private final Whiteouts whiteouts;

    TarSource(InputStream in, Whiteouts whiteouts) {
        this.in = in;
        this.whiteouts = whiteouts;
    }

    void populate(ImageBuilder image) throws IOException {
        PaxXattrTap tap = new PaxXattrTap(decompressed(in));
        // UTF-8, not the locale's charset: under LANG=C that would be ASCII and mangle every other name.
        TarArchiveInputStream tar = new TarArchiveInputStream(tap, "UTF-8");
        TarArchiveEntry e;
        while ((e = nextEntry(tar)) != null) {
            add(image, tar, e, tap);
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException e) { // commons-compress reports some corrupt headers so
            throw new IOException("tar: corrupt header: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("tar: " + e.getMessage(), e);
        }
    }

    private void add(ImageBuilder image, TarArchiveInputStream tar, TarArchiveEntry e, PaxXattrTap tap)
            throws IOException {
        TreeMap<String, byte[]> raw = null;
        for (String k : e.getExtraPaxHeaders().keySet()) {
            if (k.startsWith("SCHILY.xattr.")) {
                raw = tap.next(); // taken for every such entry, used or not, to stay in step
                break;
            }
        }
        String what = "tar entry '" + e.getName() + "'";
        List<byte[]> path = EntryPath.parse(e.getName(), what);
        if (!path.isEmpty() && whiteouts != Whiteouts.KEEP) {
            String base = new String(path.get(path.size() - 1), StandardCharsets.UTF_8);
            if (base.startsWith(Whiteouts.PREFIX)) {
                addWhiteout(image, path, base, e, what);
                return;
            }
        }
        Inode n;
        if (e.isDirectory()) {
            n = new Inode(Inode.Kind.DIRECTORY);
        } else if (e.isSymbolicLink()) {
            n = new Inode(Inode.Kind.SYMLINK);
            n.target = e.getLinkName().getBytes(StandardCharsets.UTF_8);
            if (n.target.length == 0 || n.target.length > 4095) {
                throw new IOException(what + ": symlink target of " + n.target.length + " bytes (1..4095 allowed)");
            }
        } else if (e.isLink()) {
            addHardLink(image, path, e, what);
            return;
        } else if (e.isCharacterDevice() || e.isBlockDevice()) {
            n = new Inode(e.isCharacterDevice() ? Inode.Kind.CHAR_DEVICE : Inode.Kind.BLOCK_DEVICE);
            if (e.getDevMajor() < 0 || e.getDevMajor() > 4095 || e.getDevMinor() < 0 || e.getDevMinor() > 0xFFFFF) {
                throw new IOException(what + ": device " + e.getDevMajor() + ":" + e.getDevMinor()
                        + " out of range (major <= 4095, minor <= 1048575)");
            }
            n.major = e.getDevMajor();
            n.minor = e.getDevMinor();
        } else if (e.isFIFO()) {
            n = new Inode(Inode.Kind.FIFO);
        } else if (e.isFile()) {
            n = new Inode(Inode.Kind.FILE);
            long size = e.isSparse() ? e.getRealSize() : e.getSize();
            if (size < 0) {
                throw new IOException(what + ": negative size");
            }
            n.data = image.writeData(tar, size, what);
        } else {
            image.warn(what + ": skipped (its tar type has no SquashFS equivalent)");
            return;
        }
        attributes(n, e, raw, image);
        image.put(path, n, what);
    }

    private void addWhiteout(ImageBuilder image, List<byte[]> path, String base, TarArchiveEntry e, String what)
            throws IOException {
        if (whiteouts == Whiteouts.DROP) {
            return;
        }
        List<byte[]> parent = path.subList(0, path.size() - 1);
        if (base.equals(Whiteouts.OPAQUE)) {
            Inode dir = image.directory(parent, what);
            if (dir.xattrs == null) {
                dir.xattrs = new TreeMap<>();
            }
            dir.xattrs.put(Whiteouts.OPAQUE_XATTR, new byte[] {'y'});
            return;
        }
        String hidden = base.substring(Whiteouts.PREFIX.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            throw new IOException(what + ": whiteout of an invalid name");
        }
        Inode w = new Inode(Inode.Kind.CHAR_DEVICE); // overlayfs whiteout: char device 0:0
        w.uid = e.getLongUserId();
        w.gid = e.getLongGroupId();
        w.mtime = e.getModTime().getTime() / 1000;
        List<byte[]> target = new java.util.ArrayList<>(parent);
        target.add(hidden.getBytes(StandardCharsets.UTF_8));
        image.put(target, w, what);
    }

    private static void addHardLink(ImageBuilder image, List<byte[]> path, TarArchiveEntry e, String what)
            throws IOException {
        List<byte[]> target = EntryPath.parse(e.getLinkName(), what + " (hard link target '" + e.getLinkName() + "')");
        Inode existing = image.lookup(target);
        if (existing == null) {
            throw new IOException(what + ": hard link target '" + e.getLinkName() + "' is not an earlier entry");
        }
        if (existing.isDirectory()) {
            throw new IOException(what + ": hard link to a directory");
        }
        if (path.isEmpty()) {
            throw new IOException(what + ": hard link as the root");
        }
        image.put(path, existing, what);
    }

    private static void attributes(Inode n, TarArchiveEntry e, TreeMap<String, byte[]> raw, ImageBuilder image)
            throws IOException {
        n.permissions = e.getMode() & 07777;
        n.uid = e.getLongUserId();
        n.gid = e.getLongGroupId();
        n.mtime = Math.max(0, e.getModTime().getTime() / 1000);
        TreeMap<String, byte[]> x = null;
        for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
            String k = h.getKey();
            String name;
            byte[] value;
            if (k.startsWith("SCHILY.xattr.")) {
                name = k.substring("SCHILY.xattr.".length());
                byte[] exact = raw == null ? null : raw.get(name);
                value = exact != null ? exact : h.getValue().getBytes(StandardCharsets.UTF_8);
            } else if (k.startsWith("LIBARCHIVE.xattr.")) {
                name = java.net.URLDecoder.decode(k.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
                try {
                    value = Base64.getDecoder().decode(h.getValue());
                } catch (IllegalArgumentException bad) {
                    throw new IOException("tar entry '" + e.getName() + "': xattr " + name + " is not valid base64");
                }
            } else {
                continue;
            }
            if (XattrTable.prefixId(name) < 0) {
                image.warn("tar entry '" + e.getName() + "': xattr " + name
                        + " cannot be stored in SquashFS (only user., trusted., security.)");
                continue;
            }
            if (x == null) {
                x = new TreeMap<>();
            }
            x.put(name, value);
        }
        n.xattrs = x;
    }

    /** Peeks at the magic bytes and unwraps gzip, zstd, xz or bzip2. */
    static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(8);
        byte[] m = in.readNBytes(6);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xFF) == 0x1F && (m[1] & 0xFF) == 0x8B) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        if (m.length >= 4 && (m[0] & 0xFF) == 0x28 && (m[1] & 0xFF) == 0xB5 && (m[2] & 0xFF) == 0x2F
                && (m[3] & 0xFF) == 0xFD) {
            return new BufferedInputStream(new com.github.luben.zstd.ZstdInputStreamNoFinalizer(in), 1 << 16);
        }
        if (m.length >= 6 && (m[0] & 0xFF) == 0xFD && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return new BufferedInputStream(new org.tukaani.xz.XZInputStream(in), 1 << 16);
        }
        if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
            return new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(in, true);
        }
        return in;
    }
}
