package io.squashroot.cli.slurm;

/**
 * The flag after {@code --container-name=NAME:}, with pyxis's meaning.
 * AUTO: join the container if it runs, else start it (from its filesystem if it exists, else from the
 * image). CREATE: the container must not exist yet. EXEC: it must be running; join it. NO_EXEC: never
 * join a running instance; start a new one on the existing filesystem.
 */
enum NameMode {
    AUTO, CREATE, EXEC, NO_EXEC;

    static NameMode parse(String flag) {
        return switch (flag) {
            case "", "auto" -> AUTO;
            case "create" -> CREATE;
            case "exec" -> EXEC;
            case "no_exec" -> NO_EXEC;
            default -> throw new OptionException(
                    "--container-name: flag must be \"auto\", \"create\", \"exec\" or \"no_exec\": " + flag);
        };
    }

    String flag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
