package io.squashroot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code squashroot cache ...}: the node's caches (each subcommand its own class). */
@Command(name = "cache",
        description = "Manage this node's caches.",
        subcommands = {
                CachePrefetchCommand.class,
                CacheListCommand.class,
                CachePruneCommand.class,
        })
final class CacheCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
