package io.squashroot.fuse;

/** Parses sizes as written on command lines: 4096, 64K, 256M, 2G (powers of 1024). */
public final class Sizes {
    private Sizes() {
    }

    /** @throws IllegalArgumentException naming the text when it is not a size */
    public static long parse(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new IllegalArgumentException("size '" + text + "' out of range");
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 4096, 64K, 256M, 2G)");
        }
    }
}
