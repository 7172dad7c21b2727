package io.squashroot.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.tree.Errno;
import io.squashroot.tree.FsException;
import java.util.List;
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
        assertEquals(f, t.hid(NodeTable.ROOT_ID, "f", hidden));
        assertNull(t.settled(f), "the hiding request is done; handles still open");
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

    @Test
    void lastCloseWhileAMoveIsPending_leavesTheRemovalToTheMover() throws Exception {
        long f = t.lookedUp(NodeTable.ROOT_ID, "f", 9, false);
        t.opened(f);
        String hidden = t.hiddenName(NodeTable.ROOT_ID, "f");
        t.hid(NodeTable.ROOT_ID, "f", hidden);
        assertNull(t.closed(f), "the request that hid it may still give the name back");
        t.forget(f, 1);
        assertEquals("/" + hidden, t.pathOrNull(f), "a pending node is kept");
        assertEquals("/" + hidden, t.settled(f), "now the mover removes it");
        assertNull(t.pathOrNull(f));
        assertEquals(1, t.size());
    }

    @Test
    void hiddenFileOfAFailedRename_getsItsNameBack_andIsNotRemovedAtClose() throws Exception {
        long d = dir(NodeTable.ROOT_ID, "d");
        long f = t.lookedUp(d, "target", 9, false);
        t.opened(f);
        String hidden = t.hiddenName(d, "target");
        t.hid(d, "target", hidden);
        t.returned(d, hidden, d, "target", false);
        assertNull(t.settled(f));
        assertEquals("/d/target", t.path(f));
        assertFalse(t.isHidden(d, "target"));
        assertFalse(t.isHidden(d, hidden));
        assertEquals(List.of(), t.hiddenIn(NodeTable.ROOT_ID, "d"), "nothing hidden in d any more");
        assertNull(t.closed(f), "an ordinary file again: kept at its last close");
        assertEquals("/d/target", t.path(f));
    }

    @Test
    void hiddenFilesOfADirectory_areFound_andMoveOutWithoutLosingTheirHandle() throws Exception {
        long d = dir(NodeTable.ROOT_ID, "d");
        long other = dir(NodeTable.ROOT_ID, "other");
        long f = t.lookedUp(d, "f", 9, false);
        long g = t.lookedUp(other, "g", 10, false);
        t.opened(f);
        t.opened(g);
        String hidden = t.hiddenName(d, "f");
        t.hid(d, "f", hidden);
        t.settled(f);
        t.hid(other, "g", t.hiddenName(other, "g"));
        t.settled(g);
        assertEquals(List.of(new NodeTable.Hidden(f, d, hidden)), t.hiddenIn(NodeTable.ROOT_ID, "d"));
        String out = t.hiddenName(f);
        t.renamed(d, hidden, NodeTable.ROOT_ID, out, false);
        assertNull(t.settled(f), "still open");
        assertTrue(t.isHidden(NodeTable.ROOT_ID, out), "left out of the root's listing");
        assertEquals(List.of(), t.hiddenIn(NodeTable.ROOT_ID, "d"));
        t.removed(NodeTable.ROOT_ID, "d");
        t.forget(d, 1);
        assertNull(t.pathOrNull(d), "the directory is gone from the table");
        assertEquals("/" + out, t.closed(f), "removed from its new place at the last close");
    }

    @Test
    void renameOfTheOnlyChild_withinAForgottenParent_keepsTheParentsPath() throws Exception {
        long d = dir(NodeTable.ROOT_ID, "d");
        long f = dir(d, "f");
        t.forget(d, 1); // kept for its child only
        t.renamed(d, "f", d, "g", false);
        assertEquals("/d/g", t.path(f));
    }
}
