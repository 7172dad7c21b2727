package io.squashroot.cli;

import io.squashroot.runtime.config.ConfigLoader;
import io.squashroot.runtime.config.RuntimeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the enroot-compatible configuration for a container command (environment + enroot.conf). */
final class RuntimeSettings {
    private RuntimeSettings() {
    }

    static RuntimeConfig load() throws IOException {
        return ConfigLoader.fromSystem().load();
    }

    /** {@code start --conf FILE}: its {@code #ENROOT_*} directives override the configuration. */
    static RuntimeConfig withConf(RuntimeConfig base, Path conf) throws IOException {
        if (!Files.isRegularFile(conf)) {
            throw new IOException("No such file or directory: " + conf.toAbsolutePath());
        }
        return ConfigLoader.fromSystem().applyDirectives(base, conf);
    }
}
