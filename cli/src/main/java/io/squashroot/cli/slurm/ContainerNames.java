package io.squashroot.cli.slurm;

/**
 * Pyxis's container names, so that {@code squashroot list} shows what {@code enroot list} would:
 * a named container is {@code pyxis_NAME}, or {@code pyxis_JOBID_NAME} with container_scope=job;
 * the temporary container of an unnamed step is {@code pyxis_JOBID.STEPID}, or
 * {@code pyxis_JOBID_JOBID.STEPID} with container_scope=job. The Prolog/Epilog clean-up relies on
 * both job forms starting with {@code pyxis_JOBID_} or {@code pyxis_JOBID.}.
 */
final class ContainerNames {
    static final String PREFIX = "pyxis_";

    private ContainerNames() {
    }

    static String named(String name, String jobId, boolean jobScope) {
        return jobScope ? PREFIX + jobId + "_" + name : PREFIX + name;
    }

    static String temporary(String jobId, String stepId, boolean jobScope) {
        String step = jobId + "." + stepId;
        return jobScope ? PREFIX + jobId + "_" + step : PREFIX + step;
    }

    /** True when {@code container} belongs to job {@code jobId} (job-scoped or temporary). */
    static boolean belongsToJob(String container, String jobId) {
        return container.startsWith(PREFIX + jobId + "_") || container.startsWith(PREFIX + jobId + ".");
    }

    private static final java.util.regex.Pattern TEMPORARY =
            java.util.regex.Pattern.compile("pyxis_([0-9]+)(_\\1)?\\.([0-9]+|batch|interactive)");

    /** The job id of a temporary (unnamed step) container name, or null if it is not one. */
    static String jobOfTemporary(String container) {
        java.util.regex.Matcher m = TEMPORARY.matcher(container);
        return m.matches() ? m.group(1) : null;
    }

    /** The job id a job-scoped or temporary container name carries, or null. */
    static String jobOf(String container) {
        if (!container.startsWith(PREFIX)) {
            return null;
        }
        int end = PREFIX.length();
        while (end < container.length() && Character.isDigit(container.charAt(end))) {
            end++;
        }
        if (end == PREFIX.length() || end == container.length()) {
            return null;
        }
        char c = container.charAt(end);
        return c == '_' || c == '.' ? container.substring(PREFIX.length(), end) : null;
    }
}
