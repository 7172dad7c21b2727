package io.squashroot.bench;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of one mode measured.
 *
 * @param round the round number, from 1; every mode runs once per round
 * @param mode the mode's name
 * @param values the figures measured; a missing key means "not measurable for this mode"
 * @param commands the exact command lines the run executed, in order
 * @param error why the run failed, or null
 */
record RunRecord(int round, String mode, Map<Metric, Double> values, List<String> commands, String error) {

    RunRecord {
        values = values.isEmpty() ? new EnumMap<>(Metric.class) : new EnumMap<>(values);
        commands = List.copyOf(commands);
    }

    Double get(Metric m) {
        return values.get(m);
    }
}
