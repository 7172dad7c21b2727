package io.squashroot.cli;

import io.squashroot.registry.RegistrySettings;
import io.squashroot.runtime.config.RuntimeConfig;
import java.io.IOException;

/** The registry settings of a command: enroot.conf and the environment, as the runtime reads them. */
final class RegistryCommands {
    private RegistryCommands() {
    }

    static RegistrySettings settings() throws IOException {
        RuntimeConfig cfg = RuntimeSettings.load();
        return RegistrySettings.fromEnvironment(name -> {
            String v = cfg.get(name);
            return v != null ? v : System.getenv(name);
        });
    }
}
