package io.squashroot.registry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the registry client and the layer cache are allowed and told to do, read once from the
 * environment (or from the runtime's configuration, which applies enroot.conf precedence first).
 *
 * <p>enroot's own variables keep enroot's meaning: {@code ENROOT_ALLOW_HTTP} switches every
 * registry to plain HTTP (enroot's curl uses {@code http://} for all requests), and a value of
 * no/n/false/f (any case enroot accepts) or an empty one means unset. squashroot's additions are
 * per registry: {@code SQUASHROOT_INSECURE_REGISTRIES} and {@code SQUASHROOT_REGISTRY_MIRRORS}.
 *
 * @param insecureRegistries host[:port] entries allowed plain HTTP and unverified TLS
 * @param mirrors            registry (canonical host[:port]) to mirror base URIs, tried in order
 * @param maxConnections     parallel blob downloads (ENROOT_MAX_CONNECTIONS; 0 = unlimited)
 * @param connectTimeout     null = unlimited (ENROOT_CONNECT_TIMEOUT 0)
 * @param transferTimeout    per blob, null = unlimited (ENROOT_TRANSFER_TIMEOUT)
 * @param stallTimeout       a transfer that delivers no byte for this long is retried
 * @param retries            extra attempts after a failed request or an interrupted blob
 * @param caFile             SSL_CERT_FILE: PEM certificates trusted besides the JDK's
 * @param caDir              SSL_CERT_DIR: a directory of PEM certificates
 * @param cacheDir           the per-user layer cache (created 0700)
 * @param systemCache        an optional shared, read-only layer cache, or null
 * @param writerEnvironment  ENROOT_SQUASH_OPTIONS and SOURCE_DATE_EPOCH, for the image writer
 */
public record RegistrySettings(
        boolean allowHttp,
        Set<String> insecureRegistries,
        Map<String, java.util.List<URI>> mirrors,
        int maxConnections,
        Duration connectTimeout,
        Duration transferTimeout,
        Duration stallTimeout,
        int retries,
        Path credentialsFile,
        Path caFile,
        Path caDir,
        Path cacheDir,
        Path systemCache,
        Map<String, String> writerEnvironment) {

    private static final Pattern FALSE = Pattern.compile("no?|N[oO]?|[fF](alse)?|FALSE");

    public RegistrySettings {
        insecureRegistries = Set.copyOf(insecureRegistries);
        mirrors = Map.copyOf(mirrors);
        writerEnvironment = Map.copyOf(writerEnvironment);
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1: " + maxConnections);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0: " + retries);
        }
    }

    /** Reads the settings from {@code env} (System::getenv, or the runtime's merged config). */
    public static RegistrySettings fromEnvironment(Function<String, String> env) {
        String home = orDefault(env.apply("HOME"), System.getProperty("user.home"));
        String xdgCache = orDefault(env.apply("XDG_CACHE_HOME"), home + "/.cache");
        String xdgConfig = orDefault(env.apply("XDG_CONFIG_HOME"), home + "/.config");
        String enrootCache = orDefault(env.apply("ENROOT_CACHE_PATH"), xdgCache + "/enroot");
        String enrootConfig = orDefault(env.apply("ENROOT_CONFIG_PATH"), xdgConfig + "/enroot");
        int conns = intValue(env, "ENROOT_MAX_CONNECTIONS", 10);
        int connect = intValue(env, "ENROOT_CONNECT_TIMEOUT", 30);
        int transfer = intValue(env, "ENROOT_TRANSFER_TIMEOUT", 0);
        String retryVar = env.apply("ENROOT_TRANSFER_RETRIES");
        // enroot's curl default is 0 retries, but its layer downloads run under `parallel --retries 2`;
        // 3 here covers both unless the user sets the variable.
        int retries = retryVar == null || retryVar.isBlank() ? 3 : intValue(env, "ENROOT_TRANSFER_RETRIES", 3);
        String systemCache = env.apply("SQUASHROOT_SYSTEM_CACHE");
        return new RegistrySettings(
                isSet(env.apply("ENROOT_ALLOW_HTTP")),
                parseHosts(env.apply("SQUASHROOT_INSECURE_REGISTRIES")),
                parseMirrors(env.apply("SQUASHROOT_REGISTRY_MIRRORS")),
                conns == 0 ? 64 : conns,
                connect == 0 ? null : Duration.ofSeconds(connect),
                transfer == 0 ? null : Duration.ofSeconds(transfer),
                Duration.ofSeconds(intValue(env, "SQUASHROOT_STALL_TIMEOUT", 60)),
                retries,
                Path.of(enrootConfig, ".credentials"),
                pathOrNull(env.apply("SSL_CERT_FILE")),
                pathOrNull(env.apply("SSL_CERT_DIR")),
                Path.of(orDefault(env.apply("SQUASHROOT_CACHE_PATH"), enrootCache + "/squashroot")),
                systemCache == null || systemCache.isBlank() ? null : Path.of(systemCache),
                writerEnvironment(env));
    }

    private static Map<String, String> writerEnvironment(Function<String, String> env) {
        Map<String, String> w = new LinkedHashMap<>();
        for (String k : new String[] {"ENROOT_SQUASH_OPTIONS", "SOURCE_DATE_EPOCH"}) {
            String v = env.apply(k);
            if (v != null) {
                w.put(k, v);
            }
        }
        return w;
    }

    /** enroot's rule for boolean variables: unset, empty or a "false" spelling means off. */
    static boolean isSet(String v) {
        return v != null && !v.isEmpty() && !FALSE.matcher(v).matches();
    }

    static Set<String> parseHosts(String v) {
        Set<String> out = new LinkedHashSet<>();
        if (v != null) {
            for (String h : v.split("[,\\s]+")) {
                if (!h.isBlank()) {
                    out.add(canonicalRegistry(stripScheme(h.trim())));
                }
            }
        }
        return out;
    }

    /** {@code docker.io=http://mirror:5000,https://m2;nvcr.io=https://m3} (';' or ' ' between registries). */
    static Map<String, java.util.List<URI>> parseMirrors(String v) {
        Map<String, java.util.List<URI>> out = new LinkedHashMap<>();
        if (v == null || v.isBlank()) {
            return out;
        }
        for (String entry : v.trim().split("[;\\s]+")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("SQUASHROOT_REGISTRY_MIRRORS: expected REGISTRY=URL, got " + entry);
            }
            String reg = canonicalRegistry(entry.substring(0, eq).trim());
            java.util.List<URI> uris = new java.util.ArrayList<>();
            for (String u : entry.substring(eq + 1).split(",")) {
                URI uri = URI.create(u.trim().replaceAll("/+$", ""));
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("SQUASHROOT_REGISTRY_MIRRORS: not an http(s) URL: " + u);
                }
                uris.add(uri);
            }
            out.put(reg, java.util.List.copyOf(uris));
        }
        return out;
    }

    static String canonicalRegistry(String r) {
        String l = r.toLowerCase(Locale.ROOT);
        return l.equals("docker.io") || l.equals("index.docker.io") ? ImageReference.DOCKER_HUB : l;
    }

    private static String stripScheme(String h) {
        int i = h.indexOf("://");
        String s = i >= 0 ? h.substring(i + 3) : h;
        return s.replaceAll("/+$", "");
    }

    /** True if {@code hostPort} (or its host alone, when listed without a port) is insecure. */
    boolean isInsecure(String hostPort) {
        String hp = hostPort.toLowerCase(Locale.ROOT);
        if (insecureRegistries.contains(hp)) {
            return true;
        }
        int colon = hp.lastIndexOf(':');
        return colon > 0 && insecureRegistries.contains(hp.substring(0, colon));
    }

    private static int intValue(Function<String, String> env, String name, int dflt) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not a non-negative integer: " + v);
        }
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isEmpty() ? d : v;
    }

    private static Path pathOrNull(String v) {
        return v == null || v.isBlank() ? null : Path.of(v);
    }

    /** Same settings with another cache directory (tests, the shared system cache). */
    public RegistrySettings withCacheDir(Path dir) {
        return new RegistrySettings(allowHttp, insecureRegistries, mirrors, maxConnections, connectTimeout,
                transferTimeout, stallTimeout, retries, credentialsFile, caFile, caDir, dir, systemCache, writerEnvironment);
    }
}
