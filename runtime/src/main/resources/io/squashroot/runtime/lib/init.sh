# squashroot's init duty, sourced by start.sh: wait_child PID waits for the container's command
# (a background child of this shell) and returns its status as the shell reports it (128+N after
# death by signal N), however signals and timing fall.
#
# A trapped signal makes `wait` return 128+sig at once, whether or not the child has ended (bash
# may reap it while the trap runs, and keeps its status). `wait -p` names the process whose
# status it returns and leaves the name unset when a signal interrupted it: wait until it is set.
# A child that ended before the first `wait -n` (a command that dies at once) is no longer a job
# to `wait -n` (127, name unset); plain `wait PID` still returns its saved status.
wait_child() {
    local -r pid="$1"
    local done_pid status
    while :; do
        unset done_pid
        wait -n -p done_pid "${pid}" 2> /dev/null
        status=$?
        [ -n "${done_pid-}" ] && return "${status}"
        if [ "${status}" -eq 127 ]; then
            wait "${pid}" 2> /dev/null
            return $?
        fi
    done
}
