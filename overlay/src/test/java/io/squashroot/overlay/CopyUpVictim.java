package io.squashroot.overlay;

import java.nio.file.Path;
import java.util.List;

/** Copies up LOWER/big under UPPER, announcing "copying" first: the crash test kills it mid-way. */
public final class CopyUpVictim {
    private CopyUpVictim() {
    }

    public static void main(String[] args) throws Exception {
        Overlay o = Overlay.open(List.of(DirectoryTree.of(Path.of(args[0]))), Path.of(args[1]));
        System.out.println("copying");
        System.out.flush();
        o.chmod("/big", 0600);
        System.out.println("done");
    }
}
