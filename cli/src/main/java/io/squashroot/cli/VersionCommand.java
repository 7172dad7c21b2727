package io.squashroot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code squashroot version}: prints the version, as {@code enroot version} does. */
@Command(name = "version", description = "Show the version and exit.")
final class VersionCommand implements Runnable {

    static final String VERSION = "0.1.0";

    @Override
    public void run() {
        System.out.println(VERSION);
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"squashroot " + VERSION};
        }
    }
}
