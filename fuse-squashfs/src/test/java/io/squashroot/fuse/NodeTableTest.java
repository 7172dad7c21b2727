package io.squashroot.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import org.junit.jupiter.api.Test;

/** The kernel session's node ids and paths, without a mount. */
class NodeTableTest {

    private final NodeTable t = new NodeTable();

    private long dir(long parent, String name) throws FsException {
        return t.lookedUp(parent, name, -1, false);
    }

    @Test
    void pathsFollowTheParentChain_andTheSameNameKeepsItsId() throws Exception {
        long etc = dir(NodeTable.ROOT_ID, "etc");
        long ssh = dir(etc, "ssh");
        assertEquals("/etc/ssh", t.path(ssh));
        assertEquals("/etc/ssh/sshd_config", t.path(ssh, "sshd_config"));
        assertEquals("/x", t.path(NodeTable.ROOT_ID, "x"));
        assertEquals(ssh, dir(etc, "ssh"), "a second lookup of one name");
        assertEquals("/", t.path(NodeTable.ROOT_ID));
    }

    @Test
    void forgottenNodes_areFreed_butNotWhileAChildLives() throws Exception {
        long a = dir(NodeTable.ROOT_ID, "a");
        long b = dir(a, "b");
        t.forget(a, 1);
        assertEquals("/a/b", t.path(b), "the parent stays for its child");
        t.forget(b, 1);
        assertEquals(1, t.size(), "only the root left");
        assertThrows(FsException.class, () -> t.path(a));
        assertNotEquals(a, dir(NodeTable.ROOT_ID, "a"), "node ids are never reused");
    }

    @Test
    void renameOfADirectory_movesEveryPathBelowIt() throws Exception {
        long a = dir(NodeTable.ROOT_ID, "a");
        long f = dir(a, "f");
        long z = dir(NodeTable.ROOT_ID, "z");
        t.renamed(NodeTable.ROOT_ID, "a", z, "moved", false);
        assertEquals("/z/moved/f", t.path(f));
        assertEquals("/z/moved", t.path(a));
    }

    @Test
    void renameOverAName_leavesTheReplacedNodeNameless_exchangeSwaps() throws Exception {
        long x = dir(NodeTable.ROOT_ID, "x");
        long y = dir(NodeTable.ROOT_ID, "y");
        t.renamed(NodeTable.ROOT_ID, "x", NodeTable.ROOT_ID, "y", true);
        assertEquals("/y", t.path(x));
        assertEquals("/x", t.path(y));
        t.renamed(NodeTable.ROOT_ID, "y", NodeTable.ROOT_ID, "x", false);
        assertEquals("/x", t.path(x));
        FsException e = assertThrows(FsException.class, () -> t.path(y));
        assertEquals(Errno.ENOENT, e.errno());
        assertNull(t.pathOrNull(y));
    }

    @Test
    void hardLinkedFiles_shareOneNode_andKeepAPathWhileAnyNameLives() throws Exception {
        long d = dir(NodeTable.ROOT_ID, "d");
        long a = t.lookedUp(d, "a", 77, true);
        long b = t.lookedUp(NodeTable.ROOT_ID, "b", 77, true);
        assertEquals(a, b, "same inode number, more than one link");
        long other = t.lookedUp(NodeTable.ROOT_ID, "c", 78, true);
        assertNotEquals(a, other);
        assertEquals("/d/a", t.path(a));
        t.removed(d, "a");
        assertEquals("/b", t.path(a), "the remaining name");
        t.removed(NodeTable.ROOT_ID, "b");
        assertNull(t.pathOrNull(a));
        long again = t.lookedUp(NodeTable.ROOT_ID, "new", 77, true);
        assertNotEquals(a, again, "a number whose names are all gone is another file's now");
    }

    @Test
    void linkAddsANameToTheSourceNode() throws Exception {
        long f = t.lookedUp(NodeTable.ROOT_ID, "f", 5, false);
        long g = t.linked(f, NodeTable.ROOT_ID, "g", 5);
        assertEquals(f, g);
        assertEquals(f, t.lookedUp(NodeTable.ROOT_ID, "g", 5, true));
        assertEquals(f, t.lookedUp(NodeTable.ROOT_ID, "f", 5, true));
    }

    @Test
    void theOnlyNameOfAnOpenFile_mustBeHidden_andGoesAtTheLastClose() throws Exception {
        long f = t.lookedUp(NodeTable.ROOT_ID, "f", 9, false);
        assertFalse(t.mustHide(NodeTable.ROOT_ID, "f"), "not open");
        t.opened(f);
        t.opened(f);
        assertTrue(t.mustHide(NodeTable.ROOT_ID, "f"));
        String hidden = t.hiddenName(NodeTable.ROOT_ID, "f");
        assertTrue(hidden.startsWith(".fuse_hidden"), hidden);
        t.hid(NodeTable.ROOT_ID, "f", hidden);
        assertEquals("/" + hidden, t.path(f));
        assertNull(t.closed(f), "one handle still open");
        assertEquals("/" + hidden, t.closed(f), "the caller removes the hidden file now");
        assertNull(t.pathOrNull(f));
        t.forget(f, 1);
        assertEquals(1, t.size());
    }

    @Test
    void oneOfTwoLinks_needsNoHiding() throws Exception {
        long f = t.lookedUp(NodeTable.ROOT_ID, "f", 9, true);
        t.linked(f, NodeTable.ROOT_ID, "g", 9);
        t.opened(f);
        assertFalse(t.mustHide(NodeTable.ROOT_ID, "f"), "the file keeps its other name");
    }
}
