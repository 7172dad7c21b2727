package io.squashroot.cli.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The node-local directory with the user's running container instances: RUNTIME_PATH/UID (made by
 * the Prolog, as root, 0700 and owned by the user, or by the first task when RUNTIME_PATH is
 * writable), else TMPDIR/squashroot-UID. A directory that is not the user's own, or that others can
 * enter, is refused: the lock files in it decide which process's namespaces a task enters.
 */
final class UserStateDir {

    private UserStateDir() {
    }

    static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    static Path candidate(SlurmSettings settings, int uid) {
        return settings.runtimePath().resolve(Integer.toString(uid));
    }

    static Path fallback(Map<String, String> env, int uid) {
        String tmp = env.getOrDefault("TMPDIR", "");
        return Path.of(tmp.isEmpty() ? "/tmp" : tmp, "squashroot-" + uid);
    }

    static Path resolve(SlurmSettings settings, Map<String, String> env) throws IOException {
        int uid = currentUid();
        Path primary = candidate(settings, uid);
        if (!Files.isDirectory(primary)) {
            try {
                Files.createDirectory(primary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                primary = null;
            }
        }
        Path dir = primary != null ? primary : fallback(env, uid);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        checkPrivate(dir, uid);
        return dir;
    }

    static void checkPrivate(Path dir, int uid) throws IOException {
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (owner != uid || perms.contains(PosixFilePermission.GROUP_WRITE)
                || perms.contains(PosixFilePermission.OTHERS_WRITE)
                || perms.contains(PosixFilePermission.GROUP_EXECUTE)
                || perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
            throw new IOException(dir + ": state directory must be owned by uid " + uid + " with mode 0700");
        }
    }
}
