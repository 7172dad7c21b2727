# Shared by the Slurm Prolog and Epilog that squashroot ships (sourced; bash).
#
# Slurm runs them as root on every node of a job, with SLURM_JOB_ID, SLURM_JOB_UID and
# SLURM_JOB_USER set. They must never fail a job or drain a node for a clean-up problem: every
# error is logged (syslog tag squashroot) and the script exits 0.

squashroot_home=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)
squashroot_bin="${squashroot_home}/bin/squashroot"

log() {
    logger -t squashroot -- "$*" 2>/dev/null || true
    echo "squashroot: $*" >&2
}

# runtime_path from the node's settings (the same file squashroot-srun's tasks read).
runtime_path() {
    local conf="${SQUASHROOT_SLURM_CONF:-/etc/squashroot/slurm.conf}" value=""
    if [ -r "${conf}" ]; then
        value=$(sed -n 's/^[[:space:]]*runtime_path[[:space:]]*=[[:space:]]*//p' "${conf}" | tail -n 1)
    fi
    echo "${value:-/run/squashroot}"
}

# Runs `squashroot slurm-cleanup` as the job's user, with a clean environment and a time limit.
cleanup_as_user() {
    local job="${SLURM_JOB_ID:?}" uid="${SLURM_JOB_UID:?}" user gid home
    user=$(getent passwd "${uid}" | cut -d: -f1)
    gid=$(getent passwd "${uid}" | cut -d: -f4)
    home=$(getent passwd "${uid}" | cut -d: -f6)
    if [ -z "${user}" ]; then
        log "job ${job}: uid ${uid} has no passwd entry; nothing cleaned"
        return 0
    fi
    local cmd=(env -i "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOME=${home}"
               "USER=${user}" "LOGNAME=${user}")
    [ -z "${SQUASHROOT_SLURM_CONF:-}" ] || cmd+=("SQUASHROOT_SLURM_CONF=${SQUASHROOT_SLURM_CONF}")
    cmd+=(timeout 120 "${squashroot_bin}" slurm-cleanup --job "${job}" --stale)
    if [ "${uid}" != 0 ]; then
        cmd=(setpriv "--reuid=${uid}" "--regid=${gid}" --init-groups -- "${cmd[@]}")
    fi
    local out status=0
    out=$("${cmd[@]}" 2>&1) || status=$?
    [ -z "${out}" ] || while IFS= read -r line; do log "job ${job}: ${line#squashroot: }"; done <<< "${out}"
    [ "${status}" -eq 0 ] || log "job ${job}: clean-up exited with status ${status}"
    return 0
}
