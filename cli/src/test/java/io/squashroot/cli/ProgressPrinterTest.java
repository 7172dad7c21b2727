package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.squashroot.registry.Digest;
import io.squashroot.registry.ImportProgress.LayerState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {

    private static final Digest A = new Digest("ab".repeat(32));
    private static final Digest B = new Digest("cd".repeat(32));

    @Test
    void printsOneLinePerLayer_withoutTerminal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressPrinter p = new ProgressPrinter(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        p.phase("Downloading 1 missing layers");
        p.layer(1, 2, A, 2048, LayerState.CACHED);
        p.layer(2, 2, B, 3 << 20, LayerState.DOWNLOADING);
        p.bytes(B, 1 << 20);
        p.layer(2, 2, B, 3 << 20, LayerState.CONVERTED);
        assertEquals("[INFO] Downloading 1 missing layers\n"
                + "[INFO] layer 1/2 abababababab 2.0 KiB cached\n"
                + "[INFO] layer 2/2 cdcdcdcdcdcd 3.0 MiB converted\n", buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void redrawsBarsInPlace_onTerminal() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressPrinter p = new ProgressPrinter(new PrintStream(buf, true, StandardCharsets.UTF_8), true);
        p.layer(1, 2, A, 100, LayerState.DOWNLOADING);
        p.layer(2, 2, B, 100, LayerState.DOWNLOADING);
        p.bytes(A, 50);
        p.layer(1, 2, A, 100, LayerState.CONVERTED);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("\033[2F"), "moves up over the two bars: " + out);
        assertTrue(out.contains("1/2 abababababab [" + "#".repeat(30) + "]"), out);
        assertTrue(out.contains("2/2 cdcdcdcdcdcd [" + ".".repeat(30) + "]"), out);
    }
}
