package io.squashroot.cli.slurm;

import java.util.List;

/**
 * One {@code --container-mounts} entry, {@code SRC[:DST[:FLAGS]]}, as pyxis reads it.
 *
 * <p>The source is a host path (starting with {@code .} or {@code /}), {@code tmpfs} or {@code umount};
 * the target defaults to the source. Flags are joined with {@code +} on the command line because
 * {@code ,} already separates entries; they are stored here comma-separated, after pyxis's default
 * flags for the source kind, which is the fstab form the runtime's {@code --mount} takes.
 */
record MountEntry(String source, String target, String flags) {

    static final String USAGE = "SRC[:DST[:FLAGS]][,SRC[:DST[:FLAGS]]...]";

    /** Parses one entry (no commas); the message of the exception names the entry. */
    static MountEntry parse(String spec) {
        if (spec.isEmpty()) {
            throw new OptionException("--container-mounts: empty mount entry");
        }
        String[] parts = spec.split(":", 3);
        String source = parts[0];
        String target = parts.length > 1 ? parts[1] : source;
        String flags = parts.length > 2 ? parts[2] : "";
        if (source.isEmpty() || target.isEmpty()) {
            throw new OptionException("--container-mounts: invalid format: " + spec);
        }
        String defaults;
        if (isPath(source)) {
            defaults = "x-create=auto,rbind";
        } else if (source.equals("tmpfs")) {
            defaults = "x-create=dir";
        } else if (source.equals("umount")) {
            defaults = "x-detach";
        } else {
            throw new OptionException("--container-mounts: " + spec
                    + ": source must be a relative path, an absolute path, \"tmpfs\" or \"umount\"");
        }
        if (!isPath(target)) {
            throw new OptionException("--container-mounts: " + spec
                    + ": target must be a relative path or an absolute path");
        }
        String all = flags.isEmpty() ? defaults : defaults + "," + flags.replace('+', ',');
        return new MountEntry(source, target, all);
    }

    /** Splits a comma-separated list of entries; duplicates are dropped, as pyxis does. */
    static List<MountEntry> parseList(String value) {
        if (value.isEmpty()) {
            throw new OptionException("--container-mounts: argument required");
        }
        return java.util.Arrays.stream(value.split(",", -1)).map(MountEntry::parse).distinct().toList();
    }

    /** Pyxis's test for a path: the string starts with '.' or '/'. */
    static boolean isPath(String s) {
        return !s.isEmpty() && (s.charAt(0) == '.' || s.charAt(0) == '/');
    }

    /** The entry as written on the command line again ({@code SRC:DST:FLAGS} with '+'), minus defaults. */
    String toOption() {
        String defaults = isPath(source) ? "x-create=auto,rbind"
                : source.equals("tmpfs") ? "x-create=dir" : "x-detach";
        String extra = flags.equals(defaults) ? "" : flags.substring(defaults.length() + 1);
        return source + ":" + target + (extra.isEmpty() ? "" : ":" + extra.replace(',', '+'));
    }
}
