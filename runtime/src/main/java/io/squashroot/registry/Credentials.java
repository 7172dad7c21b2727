package io.squashroot.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * enroot's {@code $ENROOT_CONFIG_PATH/.credentials}: netrc lines {@code machine HOST login USER
 * password SECRET}. As in enroot, a password that starts with {@code $} is the rest of the line
 * and is expanded by the shell ({@code $(gcloud auth print-access-token)}, {@code $TOKEN}); the
 * file is the user's own, so this runs the user's command with the user's rights.
 *
 * <p>Which entry is used follows enroot: the registry host's entry decides whether the file is
 * used at all (and gives the default login); a token request then authenticates with the entry
 * of the token realm's host, as curl's netrc lookup does (NGC needs both nvcr.io and
 * authn.nvidia.com lines).
 */
final class Credentials {

    record Login(String machine, String login, String password) {
        @Override
        public String toString() {
            return "Login[" + machine + ", " + login + "]"; // never print the secret
        }
    }

    private final Path file;
    private final List<Login> entries;

    private Credentials(Path file, List<Login> entries) {
        this.file = file;
        this.entries = entries;
    }

    static Credentials none() {
        return new Credentials(null, List.of());
    }

    /** Reads {@code file}; a missing file means no credentials. */
    static Credentials load(Path file) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            return new Credentials(file, List.of());
        }
        if (Files.size(file) > 1 << 20) {
            throw new IOException(file + ": credentials file larger than 1 MiB");
        }
        List<Login> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (f.length >= 6 && f[0].equals("machine") && f[2].equals("login") && f[4].equals("password")) {
                String password = f[5];
                if (password.startsWith("$")) {
                    password = expand(restAfterFields(t, 5), file);
                }
                out.add(new Login(f[1], f[3], password));
            } else if (f.length >= 5 && f[0].equals("default") && f[1].equals("login") && f[3].equals("password")) {
                out.add(new Login(null, f[2], f[4]));
            }
        }
        return new Credentials(file, List.copyOf(out));
    }

    Path file() {
        return file;
    }

    /** The login for {@code host} if the file names one (enroot infers USER@ from it). */
    Optional<String> loginFor(String host) {
        return entries.stream().filter(e -> host.equals(e.machine())).map(Login::login).findFirst();
    }

    /** The entry for {@code host} with {@code login}. */
    Optional<Login> find(String host, String login) {
        return entries.stream().filter(e -> host.equals(e.machine()) && login.equals(e.login())).findFirst();
    }

    /** curl's netrc rule: the first entry of {@code host}, else the {@code default} entry. */
    Optional<Login> forHost(String host) {
        Optional<Login> l = entries.stream().filter(e -> host.equals(e.machine())).findFirst();
        return l.isPresent() ? l : entries.stream().filter(e -> e.machine() == null).findFirst();
    }

    private static String restAfterFields(String line, int n) {
        String s = line;
        for (int i = 0; i < n; i++) {
            s = s.replaceFirst("^\\s*\\S+\\s+", "");
        }
        return s;
    }

    private static String expand(String expr, Path file) throws IOException {
        Process p = new ProcessBuilder("/bin/sh", "-c", "echo " + expr)
                .redirectErrorStream(false)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            byte[] out = p.getInputStream().readNBytes(64 << 10);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(file + ": password command did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(file + ": password command failed with status " + p.exitValue());
            }
            return new String(out, StandardCharsets.UTF_8).strip();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(file + ": interrupted while expanding a password", e);
        }
    }
}
