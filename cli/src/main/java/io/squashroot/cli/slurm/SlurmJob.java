package io.squashroot.cli.slurm;

import java.util.Map;

/**
 * Who this task is, from the variables Slurm gives every task: job and step ids (the het job
 * component's own ids when there is one), the task's global rank.
 */
record SlurmJob(String jobId, String stepId, String procId) {

    static SlurmJob fromEnvironment(Map<String, String> env) {
        String job = env.get("SLURM_JOB_ID");
        if (job == null) {
            job = env.get("SLURM_JOBID");
        }
        String step = env.get("SLURM_STEP_ID");
        if (step == null) {
            step = env.get("SLURM_STEPID");
        }
        if (job == null || step == null) {
            throw new OptionException("slurm-task runs as a Slurm task (use squashroot-srun): SLURM_JOB_ID or SLURM_STEP_ID is not set");
        }
        if (!job.matches("[0-9]+") || !step.matches("[0-9]+|batch|extern|interactive")) {
            throw new OptionException("unexpected Slurm ids: SLURM_JOB_ID=" + job + " SLURM_STEP_ID=" + step);
        }
        return new SlurmJob(job, step, env.getOrDefault("SLURM_PROCID", "0"));
    }

    /** "JOB.STEP", Slurm's name for the step. */
    String step() {
        return jobId + "." + stepId;
    }

    /** Unique per task on a node, across steps: "JOB.STEP.RANK". */
    String taskId() {
        return step() + "." + procId;
    }
}
