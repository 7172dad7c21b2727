package io.squashroot.bench;

/**
 * Every figure the harness records for one run of one mode, in the order of the CSV columns.
 * A run that cannot measure a figure (no daemon, no workload) leaves it empty, never zero.
 */
enum Metric {
    SETUP_S("setup_s", "s", "mount answering, or extraction finished, from launch"),
    FIRST_OUTPUT_S("start_to_first_output_s", "s", "launch to the workload's first byte of output"),
    WORKLOAD_WALL_S("workload_wall_s", "s", "launch to the workload's exit"),
    WORKLOAD_EXIT("workload_exit", "", "exit status of the workload"),
    START_STORAGE_READ_BYTES("start_storage_read_bytes", "B",
            "bytes the daemon/extractor fetched from block storage during the start (/proc/PID/io read_bytes)"),
    START_REQUESTED_BYTES("start_requested_read_bytes", "B",
            "bytes the daemon/extractor asked of the file system during the start (/proc/PID/io rchar)"),
    START_DEVICE_READ_BYTES("start_device_read_bytes", "B",
            "bytes read from the image's block device during the start (/sys/dev/block/M:N/stat; node-wide)"),
    START_CPU_S("start_cpu_s", "s", "CPU time of the daemon/extractor during the start"),
    WALK_S("metadata_walk_s", "s", "lstat of every entry on a fresh mount/extraction"),
    WALK_ENTRIES("walk_entries", "", "entries visited by the walk"),
    COLD_READ_S("cold_read_s", "s", "first read of every regular file after the walk"),
    WARM_READ_S("warm_read_s", "s", "second read of every regular file"),
    FILE_BYTES("file_bytes", "B", "bytes of file content read by one full read"),
    FULL_STORAGE_READ_BYTES("full_storage_read_bytes", "B",
            "bytes fetched from block storage by the daemon/extractor for walk + reads"),
    DISK_USED_BYTES("disk_used_bytes", "B", "local disk the mode needs besides the image (du)"),
    DAEMON_CPU_S("daemon_cpu_s", "s", "CPU time of the daemon/extractor for the walk + reads session"),
    PEAK_RSS_BYTES("peak_rss_bytes", "B", "peak resident memory of the daemon/extractor (VmHWM, summed over its processes)"),
    BACKING_READ_BYTES("backing_read_bytes", "B",
            "bytes read from the image file for walk + reads, the mount's own metrics (squashroot only)"),
    BACKING_READ_REQUESTS("backing_read_requests", "",
            "read requests to the image file for walk + reads, the mount's own metrics (squashroot only)");

    final String column;
    final String unit;
    final String description;

    Metric(String column, String unit, String description) {
        this.column = column;
        this.unit = unit;
        this.description = description;
    }
}
