package io.squashroot.registry;

import java.util.Locale;
import java.util.Map;

/**
 * An image platform ({@code os/architecture[/variant]}) in Go's GOARCH spelling, the one indexes
 * use. {@link #forArch} also takes enroot's kernel spellings (x86_64, aarch64) for {@code --arch}.
 */
public record Platform(String os, String architecture, String variant) {

    static Platform from(Object json, String where) {
        Map<String, Object> m = Json.object(json, where + ": platform");
        return new Platform(Json.string(m.get("os")), Json.string(m.get("architecture")),
                Json.string(m.get("variant")));
    }

    /** The host's platform (linux, from os.arch). */
    public static Platform host() {
        return forArch(System.getProperty("os.arch"));
    }

    /** {@code ARCH[/VARIANT]} or {@code linux/ARCH[/VARIANT]}; ARCH in Go or kernel spelling. */
    public static Platform forArch(String spec) {
        String s = spec.toLowerCase(Locale.ROOT);
        if (s.startsWith("linux/")) {
            s = s.substring(6);
        }
        String variant = null;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            variant = s.substring(slash + 1);
            s = s.substring(0, slash);
        }
        String arch = switch (s) {
            case "x86_64", "amd64", "x86-64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "ppc64le", "ppc64el" -> "ppc64le";
            case "armhf", "armv7l" -> "arm";
            case "s390x", "riscv64", "arm", "386", "mips64le" -> s;
            default -> throw new IllegalArgumentException("unsupported architecture: " + spec);
        };
        if (s.equals("armv7l") && variant == null) {
            variant = "v7";
        }
        return new Platform("linux", arch, variant);
    }

    /** True if an index entry with platform {@code p} runs here (variant only checked if asked). */
    boolean accepts(Platform p) {
        if (p == null || !architecture.equals(p.architecture)) {
            return false;
        }
        if (p.os != null && !p.os.equals(os)) {
            return false;
        }
        return variant == null || variant.equals(p.variant);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
