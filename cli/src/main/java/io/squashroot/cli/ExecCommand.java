package io.squashroot.cli;

import io.squashroot.runtime.Containers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code exec [-e KEY[=VAL]]... PID COMMAND [ARG...]}, as {@code enroot exec}. */
@Command(name = "exec", sortOptions = false, description = "Execute a command inside an existing container.")
final class ExecCommand implements Callable<Integer> {
    @Option(names = {"-e", "--env"}, paramLabel = "KEY[=VAL]", description = "Export an environment variable inside the container")
    List<String> env = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "PID", description = "A process of the container (host pid)")
    long pid;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "Command and arguments")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return Containers.open(RuntimeSettings.load()).exec(pid, env, command);
    }
}
