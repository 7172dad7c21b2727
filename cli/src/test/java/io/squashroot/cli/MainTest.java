package io.squashroot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void printsVersion_withVersionCommand() {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, Main.run("version"));
        } finally {
            System.setOut(old);
        }
        assertEquals(VersionCommand.VERSION, out.toString().trim());
    }

    @Test
    void exitsWithUsageError_onUnknownCommand() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(2, Main.run("no-such-command"));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("no-such-command"), err.toString());
    }

    @Test
    void listsEverySubcommand_inRootHelp() {
        String help = captureOut("--help");
        for (String name : new String[] {"start", "create", "import", "mount", "mksquashfs", "gc", "cache", "help"}) {
            assertTrue(help.contains("  " + name + " ") || help.contains("  " + name + "\n"), name + " missing from:\n" + help);
        }
    }

    @Test
    void describesOtherSubcommands_withHelpCommand() {
        String help = captureOut("help", "start");
        assertTrue(help.contains("--mount-mode"), help);
        assertTrue(help.contains("SQUASHROOT_SUBIDS=auto"), help);
    }

    @Test
    void buildsOnlyTheNamedSubcommand_forAKnownFirstArgument() {
        assertEquals(java.util.Set.of("start"), Main.commandLine("start").getSubcommands().keySet());
        assertTrue(Main.commandLine("help").getSubcommands().size() > 20);
        assertTrue(Main.commandLine("strat").getSubcommands().containsKey("start"));
        assertEquals(Main.commandLine().getSubcommands().keySet(), Main.subcommandNames());
    }

    private static String captureOut(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }
}
