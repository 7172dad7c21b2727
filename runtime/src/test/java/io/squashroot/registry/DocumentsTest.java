package io.squashroot.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON, manifests and the enroot files generated from an image config. */
class DocumentsTest {

    private static final String D1 = "sha256:" + "11".repeat(32);
    private static final String D2 = "sha256:" + "22".repeat(32);

    @Test
    void json_rejectsDeepNesting_andNamesOffset() {
        String deep = "[".repeat(1000) + "]".repeat(1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(deep, "m.json"));
        assertTrue(e.getMessage().startsWith("m.json: malformed JSON at offset 65"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,}", "x"));
        assertEquals(Map.of("a", List.of(1L, "é\n")), Json.parse("{\"a\":[1,\"\\u00e9\\n\"]}", "x"));
    }

    @Test
    void manifest_refusesSchema1AndBadSizes() {
        byte[] s1 = "{\"schemaVersion\":1,\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Manifest.parse(s1, "application/vnd.docker.distribution.manifest.v1+prettyjws", "r/x:1"));
        assertEquals("r/x:1: Docker schema 1 manifests are not supported", e.getMessage());
        byte[] neg = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"digest\":\""
                + D1 + "\",\"size\":-5},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Manifest.parse(neg, null, "r/x"))
                .getMessage().contains("invalid size -5"));
    }

    @Test
    void manifest_parsesOciWithoutMediaType() {
        byte[] m = ("{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D1 + "\",\"size\":3},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" + D2 + "\",\"size\":9}]}")
                .getBytes(StandardCharsets.UTF_8);
        Manifest p = Manifest.parse(m, "application/vnd.oci.image.manifest.v1+json", "r/x");
        assertEquals(D2, p.layers().get(0).digest().toString());
    }

    @Test
    void rcFiles_matchEnrootConfigure() {
        ImageConfig c = ImageConfig.parse(("{\"architecture\":\"amd64\",\"config\":{\"Env\":[\"PATH=/bin\",\"A=b c\"],"
                + "\"Entrypoint\":[\"/bin/cat\"],\"Cmd\":[\"/a.txt\",\"it's\"],\"WorkingDir\":\"/work/dir\","
                + "\"Volumes\":{\"/data\":{},\"/cache\":{}},\"Labels\":{\"maintainer\":\"me\\nyou\"}}}")
                .getBytes(StandardCharsets.UTF_8), "cfg");
        Map<String, String> f = RcFiles.files(c, "docker://r#img:tag");
        assertEquals("PATH=/bin\nA=b c\n", f.get("etc/environment"));
        assertEquals("${ENROOT_ROOTFS}/cache /cache none x-create=dir,bind,rw,nosuid,nodev\n"
                + "${ENROOT_ROOTFS}/data /data none x-create=dir,bind,rw,nosuid,nodev\n", f.get("etc/fstab"));
        assertEquals("# enroot-provenance: docker://r#img:tag\n# maintainer me you\n\n"
                + "mkdir -p \"/work/dir\" 2> /dev/null\n"
                + "cd \"/work/dir\" && unset OLDPWD || exit 1\n\n"
                + "if [ -s /etc/rc.local ]; then\n    . /etc/rc.local\nfi\n\n"
                + "if [ $# -gt 0 ]; then\n    exec '/bin/cat' \"$@\"\nelse\n    exec '/bin/cat' '/a.txt' 'it'\\''s'\nfi\n",
                f.get("etc/rc"));
        assertTrue(f.containsKey("work/dir/"));
        ImageConfig empty = ImageConfig.parse("{}".getBytes(StandardCharsets.UTF_8), "cfg");
        assertTrue(RcFiles.rc(empty, "u").endsWith("exec  \"$@\"\nelse\n    exec  '/bin/sh'\nfi\n"), RcFiles.rc(empty, "u"));
    }
}
