package io.squashroot.squashfs.write;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import io.squashroot.tree.NameBytes;
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
        TarRawTap tap = new TarRawTap(decompressed(in));
        // ISO-8859-1, not the locale's charset (under LANG=C that would be ASCII and mangle every
        // other name) nor UTF-8 (which mangles names that are not UTF-8): header names decode
        // one char per byte, so they can be checked against the tap's raw bytes (rawName).
        TarArchiveInputStream tar = new TarArchiveInputStream(tap, "ISO-8859-1");
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

    private void add(ImageBuilder image, TarArchiveInputStream tar, TarArchiveEntry e, TarRawTap tap)
            throws IOException {
        TreeMap<String, byte[]> raw = null;
        for (String k : e.getExtraPaxHeaders().keySet()) {
            if (k.startsWith("SCHILY.xattr.")) {
                raw = tap.next(); // taken for every such entry, used or not, to stay in step
                break;
            }
        }
        TarRawTap.RawNames names = tap.nextNames();
        byte[] name = rawName(e.getName(), names == null ? null : names.name(), names != null && names.pax());
        String what = "tar entry '" + NameBytes.display(name) + "'";
        List<byte[]> path = EntryPath.parse(name, what);
        if (!path.isEmpty() && whiteouts != Whiteouts.KEEP) {
            byte[] base = path.get(path.size() - 1);
            if (startsWith(base, Whiteouts.PREFIX)) {
                addWhiteout(image, path, base, e, what);
                return;
            }
        }
        byte[] link = rawName(e.getLinkName(), names == null ? null : names.link(), names != null && names.linkPax());
        Inode n;
        if (e.isDirectory()) {
            n = new Inode(Inode.Kind.DIRECTORY);
        } else if (e.isSymbolicLink()) {
            n = new Inode(Inode.Kind.SYMLINK);
            n.target = link;
            if (n.target.length == 0 || n.target.length > 4095) {
                throw new IOException(what + ": symlink target of " + n.target.length + " bytes (1..4095 allowed)");
            }
        } else if (e.isLink()) {
            addHardLink(image, path, link, what);
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
        attributes(n, e, raw, image, what);
        image.put(path, n, what);
    }

    private void addWhiteout(ImageBuilder image, List<byte[]> path, byte[] base, TarArchiveEntry e, String what)
            throws IOException {
        if (whiteouts == Whiteouts.DROP) {
            return;
        }
        List<byte[]> parent = path.subList(0, path.size() - 1);
        if (java.util.Arrays.equals(base, Whiteouts.OPAQUE.getBytes(StandardCharsets.UTF_8))) {
            Inode dir = image.directory(parent, what);
            if (dir.xattrs == null) {
                dir.xattrs = new TreeMap<>();
            }
            dir.xattrs.put(Whiteouts.OPAQUE_XATTR, new byte[] {'y'});
            return;
        }
        byte[] hidden = java.util.Arrays.copyOfRange(base, Whiteouts.PREFIX.length(), base.length);
        if (hidden.length == 0 || Arrays.equals(hidden, DOT) || Arrays.equals(hidden, DOTDOT)) {
            throw new IOException(what + ": whiteout of an invalid name");
        }
        Inode w = new Inode(Inode.Kind.CHAR_DEVICE); // overlayfs whiteout: char device 0:0
        w.uid = e.getLongUserId();
        w.gid = e.getLongGroupId();
        w.mtime = e.getModTime().getTime() / 1000;
        List<byte[]> target = new java.util.ArrayList<>(parent);
        target.add(hidden);
        image.put(target, w, what);
    }

    private static void addHardLink(ImageBuilder image, List<byte[]> path, byte[] link, String what)
            throws IOException {
        String shown = NameBytes.display(link);
        List<byte[]> target = EntryPath.parse(link, what + " (hard link target '" + shown + "')");
        Inode existing = image.lookup(target);
        if (existing == null) {
            throw new IOException(what + ": hard link target '" + shown + "' is not an earlier entry");
        }
        if (existing.isDirectory()) {
            throw new IOException(what + ": hard link to a directory");
        }
        if (path.isEmpty()) {
            throw new IOException(what + ": hard link as the root");
        }
        image.put(path, existing, what);
    }

    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};

    /**
     * A member's name (or link name) as bytes. The tap's raw bytes are used when they are what
     * Commons Compress decoded, which also proves tap and reader in step; otherwise (an archive
     * whose structure the tap did not follow) the decoded name is turned back into bytes: one
     * byte per char for header names, UTF-8 for PAX ones.
     */
    static byte[] rawName(String decoded, byte[] raw, boolean pax) {
        if (raw != null) {
            String same = new String(raw, pax ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            if (same.equals(decoded)) {
                return raw;
            }
        }
        if (!pax && StandardCharsets.ISO_8859_1.newEncoder().canEncode(decoded)) {
            return decoded.getBytes(StandardCharsets.ISO_8859_1);
        }
        return decoded.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] b, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        return b.length >= p.length && Arrays.equals(b, 0, p.length, p, 0, p.length);
    }

    private static void attributes(Inode n, TarArchiveEntry e, TreeMap<String, byte[]> raw, ImageBuilder image,
            String what) throws IOException {
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
                    throw new IOException(what + ": xattr " + name + " is not valid base64");
                }
            } else {
                continue;
            }
            if (XattrTable.prefixId(name) < 0) {
                image.warn(what + ": xattr " + name
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
