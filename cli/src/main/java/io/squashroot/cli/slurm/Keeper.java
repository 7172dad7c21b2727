package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process that holds a running container's namespaces open while tasks run in it: a shell
 * started inside the container that only waits. Identified by pid and kernel start time (field 22
 * of /proc/PID/stat), so a recycled pid is never mistaken for it.
 */
record Keeper(long pid, long startTime) {

    static Keeper parse(String text) {
        String[] f = text.strip().split("\\s+");
        if (f.length != 2) {
            return null;
        }
        try {
            return new Keeper(Long.parseLong(f[0]), Long.parseLong(f[1]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Keeper of(long pid) throws IOException {
        long start = startTimeOf(pid);
        if (start < 0) {
            throw new IOException("process " + pid + " is gone");
        }
        return new Keeper(pid, start);
    }

    boolean alive() {
        return startTimeOf(pid) == startTime;
    }

    /** Field 22 (starttime) of /proc/PID/stat, or -1 if the process does not exist (or is a zombie). */
    static long startTimeOf(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return -1;
        }
        // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (rest[0].equals("Z") || rest[0].equals("X")) {
            return -1;
        }
        return Long.parseLong(rest[19]);
    }
}
