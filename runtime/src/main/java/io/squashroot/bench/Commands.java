package io.squashroot.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the external tools the harness measures, and records each command line it runs. */
final class Commands {

    /** Output of a finished command. */
    record Result(int exit, String stdout, String stderr) {
        String firstErrorLine() {
            String s = stderr.isBlank() ? stdout : stderr;
            return s.strip().lines().findFirst().orElse("exit status " + exit);
        }
    }

    private final List<String> log = new ArrayList<>();

    /** The command lines run since the last {@link #drain()}, shell-quoted. */
    List<String> drain() {
        List<String> out = List.copyOf(log);
        log.clear();
        return out;
    }

    void record(List<String> argv) {
        log.add(quote(argv));
    }

    /** Runs {@code argv} to completion (at most {@code timeoutS} seconds) and returns its output. */
    Result run(List<String> argv, long timeoutS) throws IOException {
        record(argv);
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return finish(p, argv, timeoutS);
    }

    /** Like {@link #run} but fails with the command's first error line when it exits non-zero. */
    Result check(List<String> argv, long timeoutS) throws IOException {
        Result r = run(argv, timeoutS);
        if (r.exit() != 0) {
            throw new IOException(argv.get(0) + " failed (exit " + r.exit() + "): " + r.firstErrorLine());
        }
        return r;
    }

    Process start(List<String> argv, Path stderrFile) throws IOException {
        record(argv);
        return new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderrFile.toFile())
                .start();
    }

    static Result finish(Process p, List<String> argv, long timeoutS) throws IOException {
        // Drain both pipes on their own threads so a chatty tool cannot block on a full pipe.
        StreamText out = new StreamText(p.getInputStream());
        StreamText err = new StreamText(p.getErrorStream());
        try {
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IOException(argv.get(0) + " did not finish within " + timeoutS + " s");
            }
            return new Result(p.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(argv.get(0) + ": interrupted");
        }
    }

    /** The absolute path of {@code tool} on PATH (or in /sbin, /usr/sbin), if it is installed. */
    static Optional<Path> which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        List<String> dirs = new ArrayList<>(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static String quote(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (!a.isEmpty() && a.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0)) {
                sb.append(a);
            } else {
                sb.append('\'').append(a.replace("'", "'\\''")).append('\'');
            }
        }
        return sb.toString();
    }

    /** Collects a process stream's text on a daemon thread, capped so a runaway tool cannot fill memory. */
    static final class StreamText {
        private static final int CAP = 64 * 1024;
        private final StringBuilder sb = new StringBuilder();
        private final Thread t;

        StreamText(InputStream in) {
            t = new Thread(() -> {
                byte[] b = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(b)) > 0) {
                        synchronized (sb) {
                            if (sb.length() < CAP) {
                                sb.append(new String(b, 0, n, StandardCharsets.UTF_8));
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away; what was read is kept
                }
            }, "bench-stream");
            t.setDaemon(true);
            t.start();
        }

        String text() {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (sb) {
                return sb.toString();
            }
        }
    }
}
