package io.squashroot.registry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parts of an image config (OCI image spec "config") that enroot turns into files:
 * Env, Entrypoint, Cmd, WorkingDir, Volumes, Labels, and the architecture.
 */
public record ImageConfig(String architecture, List<String> env, List<String> entrypoint, List<String> cmd,
                          String workingDir, List<String> volumes, List<Map.Entry<String, String>> labels) {

    static ImageConfig parse(byte[] json, String where) {
        Map<String, Object> m = Json.object(Json.parse(new String(json, StandardCharsets.UTF_8), where), where);
        Object arch = m.containsKey("architecture") ? m.get("architecture") : m.get("Architecture");
        Map<String, Object> c = m.get("config") instanceof Map<?, ?> ? Json.object(m.get("config"), where) : Map.of();
        List<String> volumes = new ArrayList<>();
        if (c.get("Volumes") instanceof Map<?, ?> v) {
            for (Object k : new TreeSet<>(v.keySet())) { // jq's keys[] sorts
                volumes.add((String) k);
            }
        }
        List<Map.Entry<String, String>> labels = new ArrayList<>();
        if (c.get("Labels") instanceof Map<?, ?> l) {
            for (Map.Entry<?, ?> e : l.entrySet()) {
                labels.add(Map.entry(String.valueOf(e.getKey()), String.valueOf(e.getValue())));
            }
        }
        String wd = Json.string(c.get("WorkingDir"));
        return new ImageConfig(Json.string(arch), strings(c.get("Env")), strings(c.get("Entrypoint")),
                strings(c.get("Cmd")), wd == null || wd.isEmpty() ? null : wd, volumes, labels);
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                if (x instanceof String s) {
                    out.add(s);
                }
            }
        }
        return List.copyOf(out);
    }
}
