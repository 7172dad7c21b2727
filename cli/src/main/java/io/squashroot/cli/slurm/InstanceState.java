package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The node-local state of one running container instance, shared by the tasks that use it: the
 * tasks of a step on this node, and the tasks of other steps that join a running named container.
 *
 * <p>Two lock files carry the protocol, with POSIX record locks (which the kernel drops when a
 * process dies, so a killed task can never leave a count behind):
 * <ul>
 *   <li>{@code setup.lock}, held exclusively while a task decides whether to start the container or
 *       join it, and while the last user tears it down;</li>
 *   <li>{@code members.lock}, held shared by every task for as long as it uses the container. The
 *       task that started it (the holder: its JVM is the parent of the runtime serving the FUSE
 *       mount) waits for the exclusive lock after its own command, which it gets only when every
 *       other member is gone; then it stops the container, which unmounts the image.</li>
 * </ul>
 * {@code keeper} records the pid and start time of the process whose namespaces tasks enter;
 * {@code tasks/} holds one file per member, so people and tests can see the reference count.
 */
final class InstanceState implements AutoCloseable {

    private final Path dir;
    private final FileChannel setup;
    private final FileChannel members;
    private FileLock setupLock;
    private FileLock memberLock;
    private Path taskFile;

    private InstanceState(Path dir) throws IOException {
        this.dir = dir;
        // Shared locks need a readable channel, exclusive ones a writable one.
        this.setup = FileChannel.open(dir.resolve("setup.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.members = FileChannel.open(dir.resolve("members.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** Opens (creating, 0700) the state directory {@code dir} and takes the setup lock. */
    static InstanceState openLocked(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another task of the step created it first
            }
        }
        InstanceState s = new InstanceState(dir);
        s.lockSetup();
        return s;
    }

    Path dir() {
        return dir;
    }

    void lockSetup() throws IOException {
        if (setupLock == null) {
            setupLock = setup.lock();
        }
    }

    void unlockSetup() throws IOException {
        if (setupLock != null) {
            setupLock.release();
            setupLock = null;
        }
    }

    /** Becomes a member: a shared lock on members.lock and a file under tasks/ named {@code taskId}. */
    void join(String taskId) throws IOException {
        memberLock = members.lock(0, Long.MAX_VALUE, true);
        Path tasks = Files.createDirectories(dir.resolve("tasks"));
        taskFile = tasks.resolve(taskId);
        Files.writeString(taskFile, ProcessHandle.current().pid() + "\n");
    }

    /** Stops being a member (the task's own file goes; the shared lock is released). */
    void leave() throws IOException {
        if (taskFile != null) {
            Files.deleteIfExists(taskFile);
            taskFile = null;
        }
        if (memberLock != null) {
            memberLock.release();
            memberLock = null;
        }
    }

    /**
     * Blocks until no other task is a member (call after {@link #leave} and with the setup lock
     * held, so that nobody joins meanwhile); returns with the exclusive members lock held.
     */
    void awaitLastMember() throws IOException {
        memberLock = members.lock(0, Long.MAX_VALUE, false);
    }

    /** The tasks that are members now, by their task ids. */
    List<String> memberTasks() throws IOException {
        List<String> out = new ArrayList<>();
        Path tasks = dir.resolve("tasks");
        if (!Files.isDirectory(tasks)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        }
        return out;
    }

    /** The recorded keeper, or null if none is recorded or it no longer runs. */
    Keeper keeper() throws IOException {
        Path f = dir.resolve("keeper");
        if (!Files.exists(f)) {
            return null;
        }
        Keeper k = Keeper.parse(Files.readString(f, StandardCharsets.UTF_8));
        return k != null && k.alive() ? k : null;
    }

    void recordKeeper(Keeper k) throws IOException {
        writeAtomically("keeper", k.pid() + " " + k.startTime() + "\n");
    }

    void clearKeeper() throws IOException {
        Files.deleteIfExists(dir.resolve("keeper"));
    }

    /** Replaces file {@code name} in the state directory in one rename, never half-written. */
    void writeAtomically(String name, String content) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws IOException {
        leave();
        unlockSetup();
        setup.close();
        members.close();
    }
}
