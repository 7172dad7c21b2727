package io.squashroot.runtime;

import java.io.IOException;

/** kill(2) for signals Java's Process API lacks, through kill(1). */
final class Signals {
    private Signals() {
    }

    static boolean send(long pid, String name) {
        try {
            Process k = new ProcessBuilder("kill", "-s", name, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return k.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
