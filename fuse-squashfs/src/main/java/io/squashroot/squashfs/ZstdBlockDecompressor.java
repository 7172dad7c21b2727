package io.squashroot.squashfs;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** zstd id 6: one zstd frame per block (§3.3), decoded by libzstd through zstd-jni. */
final class ZstdBlockDecompressor implements Decompressor {
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private byte[] in = new byte[0];
    private byte[] out = new byte[0];

    @Override
    public int decompress(ByteBuffer src, ByteBuffer dst) throws IOException {
        try {
            if (src.isDirect() && dst.isDirect()) {
                return ctx.decompressDirectByteBuffer(dst, dst.position(), dst.remaining(),
                        src, src.position(), src.remaining());
            }
            byte[] s;
            int so;
            if (src.hasArray()) {
                s = src.array();
                so = src.arrayOffset() + src.position();
            } else {
                if (in.length < src.remaining()) {
                    in = new byte[src.remaining()];
                }
                src.duplicate().get(in, 0, src.remaining());
                s = in;
                so = 0;
            }
            if (dst.hasArray()) {
                return ctx.decompressByteArray(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining(),
                        s, so, src.remaining());
            }
            if (out.length < dst.remaining()) {
                out = new byte[dst.remaining()];
            }
            int n = ctx.decompressByteArray(out, 0, dst.remaining(), s, so, src.remaining());
            dst.duplicate().put(out, 0, n);
            return n;
        } catch (ZstdException e) {
            throw new IOException("zstd: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IOException("zstd: " + e);
        }
    }
}
