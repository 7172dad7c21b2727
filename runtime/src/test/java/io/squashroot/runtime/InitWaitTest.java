package io.squashroot.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The init's wait (lib/init.sh, wait_child) on its own, with the timings that are races in a real
 * start forced: the command already dead before the wait begins, and a signal trapped while the
 * command still runs.
 */
class InitWaitTest {
    @TempDir
    Path tmp;

    private String run(String script) throws IOException, InterruptedException {
        Path lib = ScriptLibrary.unpack(Files.createDirectories(tmp.resolve("run")));
        // stderr apart: bash reports a job killed by a signal there ("Killed") after `sleep`
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source \"$LIB/init.sh\"\n" + script)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LIB", lib.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.trim();
    }

    @Test
    void statusOfACommandThatDiedBeforeTheWait_is128PlusSignal() throws Exception {
        assertEquals("137", run("sh -c 'kill -KILL $$' & c=$!; sleep 0.3\nwait_child $c; echo $?"));
        assertEquals("42", run("sh -c 'exit 42' & c=$!; sleep 0.3\nwait_child $c; echo $?"));
    }

    @Test
    void trappedSignalWhileWaiting_doesNotEndTheWait() throws Exception {
        // The trap passes TERM on to the child, which ignores it the first time and exits 7.
        assertEquals("7", run("sh -c 'trap \"exit 7\" TERM; while :; do sleep 0.05; done' & c=$!\n"
                + "trap \"kill -TERM $c\" USR1\n"
                + "(sleep 0.3; kill -USR1 $$) &\n"
                + "wait_child $c; echo $?"));
    }
}
