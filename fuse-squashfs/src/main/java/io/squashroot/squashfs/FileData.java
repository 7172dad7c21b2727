package io.squashroot.squashfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Regular file content (§7, §8): data blocks located through the {@link BlockList}, sparse
 * blocks as zeros, the tail from a fragment block. Random reads go through the block cache, so a
 * FUSE mount reading 4 KiB pages of a 128 KiB block decodes it once; {@link #transferTo} streams
 * a whole file for extraction through per-thread direct buffers to a {@link BlockWriter} and
 * leaves holes unwritten.
 */
final class FileData {
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final ImageContext ctx;
    private final LookupTable fragments;

    FileData(ImageContext ctx, LookupTable fragments) {
        this.ctx = ctx;
        this.fragments = fragments;
    }

    /** Per-thread direct buffer for compressed input in {@link #transferTo}. */
    private static final class Direct {
        ByteBuffer in = ByteBuffer.allocateDirect(0);
    }

    private static final ThreadLocal<Direct> DIRECT = ThreadLocal.withInitial(Direct::new);

    int read(Inode.RegularFile f, long offset, ByteBuffer dst) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        long size = f.size();
        if (offset >= size) {
            return dst.hasRemaining() ? -1 : 0;
        }
        int bs = ctx.sb.blockSize();
        BlockList blocks = f.blocks();
        int n = blocks.count();
        long pos = offset;
        long blockPos = f.blocksStart() + blocks.offset((int) Math.min(pos / bs, n));
        int total = 0;
        while (dst.hasRemaining() && pos < size) {
            int i = (int) (pos / bs);
            int within = (int) (pos % bs);
            int take;
            if (i < n) {
                int len = blockLength(f, i);
                take = Math.min(len - within, dst.remaining());
                int word = blocks.word(i);
                if (word == 0) {
                    putZeros(dst, take);
                } else if (within == 0 && take == len) {
                    readWholeBlock(blockPos, word, len, dst);
                } else {
                    byte[] data = ctx.dataBlock(blockPos, word, len, true, "data block");
                    dst.put(data, within, take);
                }
                blockPos += word & 0x00FF_FFFF;
            } else {
                byte[] frag = fragmentBlock(f);
                int tail = (int) (size - (long) n * bs);
                take = Math.min(tail - within, dst.remaining());
                dst.put(frag, f.fragmentOffset() + within, take);
            }
            pos += take;
            total += take;
        }
        return total;
    }

    /**
     * Decodes the whole file into buffers from {@code w} and hands each to it with its file
     * position; holes are skipped, and a trailing hole is marked by one zero byte at the last
     * position so that the file gets its full size.
     */
    long transferTo(Inode.RegularFile f, BlockWriter w) throws IOException {
        int bs = ctx.sb.blockSize();
        BlockList blocks = f.blocks();
        int n = blocks.count();
        long size = f.size();
        long blockPos = f.blocksStart();
        long filePos = 0;
        boolean holeAtEnd = false;
        for (int i = 0; i < n; i++) {
            int word = blocks.word(i);
            int len = blockLength(f, i);
            if (word == 0) {
                filePos += len;
                holeAtEnd = true;
                continue;
            }
            holeAtEnd = false;
            ByteBuffer o = w.take(len).clear().limit(len);
            decodeInto(blockPos, word, len, o, true);
            w.write(o, filePos);
            blockPos += word & 0x00FF_FFFF;
            filePos += len;
        }
        if (f.hasFragment()) {
            byte[] frag = fragmentBlock(f);
            int tail = (int) (size - (long) n * bs);
            ByteBuffer o = w.take(tail).clear();
            o.put(frag, f.fragmentOffset(), tail).flip();
            w.write(o, filePos);
            holeAtEnd = false;
        }
        if (holeAtEnd && size > 0) {
            ByteBuffer o = w.take(1).clear();
            o.put((byte) 0).flip();
            w.write(o, size - 1);
        }
        return size;
    }

    /**
     * A read that wants all of a data block: served from the cache when the block is there,
     * else decoded straight into {@code dst} without a cache entry. A sequential reader (the
     * kernel's readahead, extraction) asks for each block once, so caching it would only cost a
     * heap copy per block and the garbage collection of it; blocks read in pieces still go
     * through the cache.
     */
    private void readWholeBlock(long blockPos, int word, int len, ByteBuffer dst) throws IOException {
        byte[] cached = ctx.cachedDataBlock(blockPos, len);
        if (cached != null) {
            dst.put(cached, 0, len);
            return;
        }
        decodeInto(blockPos, word, len, dst, false);
        dst.position(dst.position() + len);
    }

    /**
     * Decodes the data block with size word {@code word} at {@code blockPos} into the {@code len}
     * bytes of {@code o} from its position, which is left unchanged. Compressed input goes
     * through a per-thread direct buffer, so a direct {@code o} (a FUSE reply, an extraction
     * buffer) is filled by the native decoder without a heap copy. {@code once}: the block is
     * part of a whole-file stream ({@link ImageSource#readFullyOnce}); a FUSE read is not, since
     * on shared storage its neighbours are wanted from the same chunk.
     */
    private void decodeInto(long blockPos, int word, int len, ByteBuffer o, boolean once) throws IOException {
        int stored = ctx.checkWord(word, "data block", blockPos);
        ByteBuffer out = o.duplicate().limit(o.position() + len);
        if ((word & 0x0100_0000) != 0) {
            if (stored != len) {
                throw ctx.corrupt("data block", blockPos, "stored block of " + stored + " bytes, expected " + len);
            }
            ctx.read("data block", blockPos, out, once);
            return;
        }
        Direct d = DIRECT.get();
        if (d.in.capacity() < stored) {
            d.in = ByteBuffer.allocateDirect(ctx.sb.blockSize());
        }
        ByteBuffer in = d.in.clear().limit(stored);
        ctx.read("data block", blockPos, in, once);
        in.flip();
        int got;
        try {
            got = ctx.scratch().decompressor.decompress(in, out);
        } catch (IOException e) {
            throw ctx.corrupt("data block", blockPos, "block does not decompress: " + e.getMessage());
        }
        if (got != len) {
            throw ctx.corrupt("data block", blockPos, "block decodes to " + got + " bytes, expected " + len);
        }
    }

    /** Decoded length of block {@code i} (§7.3): full, or the short last block. */
    private int blockLength(Inode.RegularFile f, int i) {
        int bs = ctx.sb.blockSize();
        int n = f.blocks().count();
        if (i < n - 1 || f.hasFragment()) {
            return bs;
        }
        return (int) (f.size() - (long) (n - 1) * bs);
    }

    private byte[] fragmentBlock(Inode.RegularFile f) throws IOException {
        MetadataCursor c = fragments.at(Integer.toUnsignedLong(f.fragmentIndex()));
        long start = c.u64();
        int word = c.u32();
        byte[] frag = ctx.dataBlock(start, word, ctx.sb.blockSize(), false, "fragment block");
        int tail = (int) (f.size() % ctx.sb.blockSize());
        if ((long) f.fragmentOffset() + tail > frag.length) {
            throw ctx.corrupt("fragment block", start, "tail of inode " + f.number() + " at offset " + f.fragmentOffset()
                    + " length " + tail + " runs past the fragment's " + frag.length + " bytes");
        }
        return frag;
    }

    private static void putZeros(ByteBuffer dst, int n) {
        if (dst.hasArray()) {
            int p = dst.position();
            Arrays.fill(dst.array(), dst.arrayOffset() + p, dst.arrayOffset() + p + n, (byte) 0);
            dst.position(p + n);
            return;
        }
        int left = n;
        while (left > 0) {
            int k = Math.min(left, ZEROS.length);
            dst.put(ZEROS, 0, k);
            left -= k;
        }
    }
}
