package io.squashroot.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command for a test and returns its exit status and output. */
final class Sh {
    record Result(int status, String out) {
    }

    private Sh() {
    }

    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        return p.getFileName().toString().equals("overlay") ? p.getParent() : p;
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String ok(String... cmd) throws IOException, InterruptedException {
        Result r = run(List.of(cmd));
        if (r.status() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.status() + ": " + r.out());
        }
        return r.out();
    }

    /** The command run as the unprivileged test user. */
    static List<String> asUser(String... cmd) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=sqtest", "--regid=sqtest", "--init-groups"));
        c.addAll(List.of(cmd));
        return c;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
