package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A real distribution image: Debian 12 minbase made by debootstrap (cached between runs by
 * testdata/debian-minbase.sh). Both mount modes as root, and a package installed with dpkg by
 * an ordinary user inside a fuse-mode container.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DebianImageTest {
    private Path debian;
    private Sandbox root;
    private Sandbox user;
    private Set<PosixFilePermission> fuseModeBefore;

    @BeforeAll
    void setUp() throws IOException {
        debian = TestImages.debian();
        root = new Sandbox(null);
        user = new Sandbox(Sandbox.TEST_USER);
        // An ordinary user's FUSE mount needs /dev/fuse readable and writable by all (stock Debian
        // with udev has that; these VMs may not). Restored afterwards.
        Path fuse = Path.of("/dev/fuse");
        fuseModeBefore = Files.getPosixFilePermissions(fuse);
        Files.setPosixFilePermissions(fuse, PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    @AfterAll
    void tearDown() throws IOException {
        Files.setPosixFilePermissions(Path.of("/dev/fuse"), fuseModeBefore);
        root.close();
        user.close();
    }

    @Test
    void catOsRelease_inBothModes() throws Exception {
        for (String mode : new String[] {"fuse", "extract"}) {
            Sandbox.Result r = root.run("start", "--mount-mode=" + mode, debian.toString(), "cat", "/etc/os-release");
            assertEquals(0, r.status(), mode + ": " + r);
            assertTrue(r.out().contains("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\""), mode + ": " + r);
        }
    }

    @Test
    void dpkgInstall_asOrdinaryUser_inFuseContainer_persists() throws Exception {
        Path debs = user.buildDeb("sqtest-hello", "/usr/share/sqtest/hello", "hello from a package\n",
                "#!/bin/sh\nset -e\nchown root:root /usr/share/sqtest/hello\necho postinst-ran > /var/lib/sqtest-postinst\n",
                user.base.resolve("debs/hello.deb")).getParent();

        assertEquals(0, user.run("create", "-n", "deb", debian.toString()).status());
        Sandbox.Result r = user.run("start", "--root", "--rw", "-m", debs + ":/mnt/debs:none:x-create=dir,bind,ro", "deb",
                "dpkg", "-i", "/mnt/debs/hello.deb");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("Setting up sqtest-hello (1.0)"), r.toString());

        r = user.run("start", "--root", "deb", "sh", "-c",
                "dpkg-query -W -f '${Status}\\n' sqtest-hello; cat /usr/share/sqtest/hello /var/lib/sqtest-postinst");
        assertEquals(0, r.status(), r.toString());
        assertEquals("install ok installed\nhello from a package\npostinst-ran\n", r.out(), r.toString());

        r = user.run("start", "--root", debian.toString(), "sh", "-c", "dpkg-query -W sqtest-hello 2>&1; ls /usr/share/sqtest 2>&1");
        assertTrue(r.out().contains("no packages found matching sqtest-hello"), "the image itself is untouched: " + r);
        assertEquals(0, user.run("remove", "-f", "deb").status());
    }
}
