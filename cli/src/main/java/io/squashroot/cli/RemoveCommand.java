package io.squashroot.cli;

import io.squashroot.runtime.Containers;
import io.squashroot.runtime.config.RuntimeConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code remove [-f] NAME...}, as {@code enroot remove}: asks before deleting unless forced. */
@Command(name = "remove", description = "Delete one or multiple containers.")
final class RemoveCommand implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> names;

    @Override
    public Integer call() throws Exception {
        RuntimeConfig cfg = RuntimeSettings.load();
        Containers c = Containers.open(cfg);
        boolean ask = !force && !cfg.forceOverride();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String n : names) {
            if (ask) {
                System.err.print("Do you really want to delete " + cfg.dataPath().resolve(n) + "? [y/N] ");
                System.err.flush();
                String reply = in.readLine();
                if (reply == null || !(reply.equals("y") || reply.equals("Y"))) {
                    continue;
                }
            }
            c.remove(n);
        }
        return 0;
    }
}
