package io.squashroot.cli.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a squashroot-srun command line into srun's own options, our {@code --container-*} options
 * and the command, the way srun's getopt_long ("+" mode: options end at the first word that is not
 * one) would see it. To know whether {@code --opt word} makes {@code word} an argument, the tables
 * below list srun's options that require one (srun(1) of Slurm 22.05, plus a few later names); an
 * option written {@code --opt=value} needs no table. Optional arguments never take the next word.
 */
record SrunCommandLine(List<String> srunOptions, List<String> containerOptions, List<String> command) {

    /** Long srun options with a required argument. */
    static final Set<String> SRUN_LONG_WITH_ARG = Set.of(
            "account", "accel-bind", "acctg-freq", "bb", "bbf", "bcast-exclude", "begin", "chdir",
            "cluster-constraint", "clusters", "comment", "constraint", "container", "container-id",
            "core-spec", "cores-per-socket", "cpu-bind", "cpu_bind", "cpu-freq", "cpus-per-gpu",
            "cpus-per-task", "deadline", "delay-boot", "dependency", "distribution", "epilog", "error",
            "exclude", "export", "extra-node-info", "gid", "gpu-bind", "gpu-freq", "gpus", "gpus-per-node",
            "gpus-per-socket", "gpus-per-task", "gres", "gres-flags", "het-group", "hint", "input",
            "job-name", "jobid", "licenses", "mail-type", "mail-user", "mcs-label", "mem", "mem-bind",
            "mem_bind", "mem-per-cpu", "mem-per-gpu", "mincpus", "mpi", "msg-timeout", "network",
            "nodefile", "nodelist", "nodes", "ntasks", "ntasks-per-core", "ntasks-per-gpu",
            "ntasks-per-node", "ntasks-per-socket", "ntasks-per-tres", "open-mode", "output", "partition",
            "power", "prefer", "priority", "profile", "prolog", "qos", "relative", "reservation", "signal",
            "slurmd-debug", "sockets-per-node", "switches", "task-epilog", "task-prolog", "thread-spec",
            "threads", "threads-per-core", "time", "time-min", "tmp", "tres-per-task", "uid", "wait",
            "wckey");

    /** Short srun options with a required argument (the rest take none or an attached optional one). */
    static final String SRUN_SHORT_WITH_ARG = "ABCDFGJLMNSTWbcdeimnopqrtwx";

    /** Options that change what the command words mean; a wrapper cannot put itself in front of them. */
    static final Set<String> UNSUPPORTED_SRUN = Set.of("multi-prog");

    static SrunCommandLine parse(List<String> argv) {
        List<String> srun = new ArrayList<>();
        List<String> container = new ArrayList<>();
        int i = 0;
        while (i < argv.size()) {
            String a = argv.get(i);
            if (a.equals("--")) {
                i++;
                break;
            }
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String key = eq < 0 ? a.substring(2) : a.substring(2, eq);
                if (ContainerOptionParser.isContainerOption(key)) {
                    if (eq < 0 && ContainerOptionParser.VALUE_OPTIONS.contains(key)) {
                        if (i + 1 >= argv.size()) {
                            throw new OptionException(a + ": argument required");
                        }
                        container.add(a + "=" + argv.get(++i));
                    } else {
                        container.add(a);
                    }
                } else {
                    if (UNSUPPORTED_SRUN.contains(key)) {
                        throw new OptionException(a + " cannot be combined with squashroot-srun");
                    }
                    srun.add(a);
                    if (eq < 0 && SRUN_LONG_WITH_ARG.contains(key)) {
                        if (i + 1 >= argv.size()) {
                            throw new OptionException(a + ": argument required");
                        }
                        srun.add(argv.get(++i));
                    }
                }
                i++;
            } else if (a.startsWith("-") && a.length() > 1) {
                srun.add(a);
                if (shortTakesNextWord(a)) {
                    if (i + 1 >= argv.size()) {
                        throw new OptionException(a + ": argument required");
                    }
                    srun.add(argv.get(++i));
                }
                i++;
            } else {
                break;
            }
        }
        return new SrunCommandLine(srun, container, List.copyOf(argv.subList(i, argv.size())));
    }

    /** Short srun options whose argument is optional and, when present, attached ("-I5"). */
    static final String SRUN_SHORT_OPTIONAL_ARG = "IKk";

    /** A cluster such as "-lv" or "-n4": true when its last option needs the next word as argument. */
    private static boolean shortTakesNextWord(String cluster) {
        for (int k = 1; k < cluster.length(); k++) {
            if (SRUN_SHORT_OPTIONAL_ARG.indexOf(cluster.charAt(k)) >= 0) {
                return false;
            }
            if (SRUN_SHORT_WITH_ARG.indexOf(cluster.charAt(k)) >= 0) {
                return k == cluster.length() - 1;
            }
        }
        return false;
    }
}
