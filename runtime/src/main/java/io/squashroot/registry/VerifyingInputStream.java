package io.squashroot.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/** Passes bytes through, counting and hashing them; at end of stream they must match the descriptor. */
final class VerifyingInputStream extends FilterInputStream {
    private final Descriptor expected;
    private final String what;
    private final LongConsumer progress;
    private final MessageDigest md = Digest.sha256();
    private long count;
    private boolean verified;

    VerifyingInputStream(InputStream in, Descriptor expected, String what, LongConsumer progress) {
        super(in);
        this.expected = expected;
        this.what = what;
        this.progress = progress;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        md.update(b, off, n);
        count += n;
        if (expected.size() >= 0 && count > expected.size()) {
            throw new IOException(what + ": longer than the declared " + expected.size() + " bytes");
        }
        progress.accept(n);
        return n;
    }

    private void verify() throws IOException {
        if (verified) {
            return;
        }
        Digest got = Digest.of(md);
        if (!got.equals(expected.digest())) {
            throw new IOException(what + ": digest mismatch, content has " + got + ", expected " + expected.digest());
        }
        verified = true;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
