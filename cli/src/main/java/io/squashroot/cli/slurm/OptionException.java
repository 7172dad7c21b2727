package io.squashroot.cli.slurm;

/** A bad {@code --container-*} or srun argument; its message is shown to the user as one line. */
final class OptionException extends IllegalArgumentException {
    OptionException(String message) {
        super(message);
    }
}
