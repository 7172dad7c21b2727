#!/usr/bin/env bash
# squashroot's in-namespace start script. The launcher (io.squashroot.runtime.Launcher) runs it
# through `unshare --user --map-root-user --mount --pid --fork --kill-child`, so it is pid 1 of
# the container's pid namespace and root of a fresh user namespace, in a private mount
# namespace whose mounts vanish with it. It prepares the root filesystem as enroot's runtime
# does (environment, mounts, hooks, user mounts, rc script), then starts the command chrooted
# into it and stays as the namespace's init: it forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/
# SIGUSR2 to the command and exits with the command's status (128+N after death by signal N).
#
# Input (environment): SQUASHROOT_ROOTFS, SQUASHROOT_RUNDIR (0700, ours), SQUASHROOT_SCRIPTS
# (this directory), SQUASHROOT_CONF (--conf), SQUASHROOT_RC (--rc), SQUASHROOT_MOUNTS and
# SQUASHROOT_ENVIRON (newline-separated --mount/--env), SQUASHROOT_MAP (UID:GID to become in a
# nested user namespace, empty for root), the ENROOT_* configuration; arguments: the command.
set -euo pipefail
shopt -s lastpipe

read -r host_pid _ < /proc/self/stat
readonly host_pid
readonly scripts="${SQUASHROOT_SCRIPTS}"
readonly rootfs="${SQUASHROOT_ROOTFS}"
readonly rundir="${SQUASHROOT_RUNDIR}"
readonly environ_file="${rundir}/environment"
readonly mount_file="${rundir}/fstab"
readonly rc_file="${rundir}/rc"
readonly kinds=(hooks.d mounts.d environ.d)
export PATH="${scripts}/bin:${PATH:-/usr/sbin:/usr/bin:/sbin:/bin}"
# (hash, not $(command -v): a command substitution forks, and every fork shows in start latency)
hash unshare env
unshare_bin="${BASH_CMDS[unshare]}"
env_bin="${BASH_CMDS[env]}"

source "${scripts}/common.sh"
source "${scripts}/mount.sh"
source "${scripts}/init.sh"
enroot-mount() { enroot_mount "$@"; }

# Files of one kind (hooks.d, mounts.d, environ.d) in run order, into the array _parts:
# squashroot's built-in ones (unless the system directory has a file of the same name, e.g.
# enroot's stock set), then the system directory, then the user's.
parts() {
    local -r kind="$1" suffix="$2"
    local f
    _parts=()
    shopt -s nullglob
    for f in "${scripts}/${kind}"/*"${suffix}"; do
        [ -e "${ENROOT_SYSCONF_PATH}/${kind}/${f##*/}" ] || ! builtin_wanted "${f##*/}" || _parts+=("${f}")
    done
    for f in "${ENROOT_SYSCONF_PATH}/${kind}"/*"${suffix}" "${ENROOT_CONFIG_PATH}/${kind}"/*"${suffix}"; do
        _parts+=("${f}")
    done
    shopt -u nullglob
}

# Succeeds when a built-in hook has something to do. The same tests open each of those hooks;
# checking them here saves a bash process per idle hook on every start.
builtin_wanted() {
    case "$1" in
    10-home.sh) [ -n "${ENROOT_MOUNT_HOME-}" ] ;;
    10-devices.sh) [ -n "${ENROOT_RESTRICT_DEV-}" ] ;;
    98-nvidia.sh)
        [ -n "${NVIDIA_VISIBLE_DEVICES-}" ] && return 0
        local l
        while IFS= read -r l; do [[ "${l}" == NVIDIA_VISIBLE_DEVICES=* ]] && return 0; done < "${environ_file}"
        return 1 ;;
    *) true ;;
    esac
}

do_environ() {
    local env
    : > "${environ_file}"
    common::envsubst "${rootfs}/etc/environment" >> "${environ_file}"
    parts environ.d .env
    for f in ${_parts[@]+"${_parts[@]}"}; do common::envsubst "${f}"; done >> "${environ_file}"
    if declare -F environ > /dev/null; then
        environ >> "${environ_file}"
    fi
    while IFS= read -r env; do
        [ -z "${env}" ] && continue
        if [[ "${env}" == *=* ]]; then printf "%s\n" "${env}"; else printf "%s=%s\n" "${env}" "${!env-}"; fi
    done <<< "${SQUASHROOT_ENVIRON-}" >> "${environ_file}"
    common::envfmt "${environ_file}"
}

do_mounts_init() {
    : > "${mount_file}"
    common::envsubst "${rootfs}/etc/fstab" >> "${mount_file}"
    parts mounts.d .fstab
    for f in ${_parts[@]+"${_parts[@]}"}; do common::envsubst "${f}"; done >> "${mount_file}"
    # The container has its own pid namespace: give it its own /proc.
    printf "none /proc none x-create=dir,x-detach,nofail,silent 0 -1\n" >> "${mount_file}"
    printf "proc /proc proc x-create=dir,rw,nosuid,nodev,noexec 0 -1\n" >> "${mount_file}"
    enroot-mount --root "${rootfs}" --pass -1 "${mount_file}"
}

do_hooks() {
    # The hooks append to an empty ENROOT_MOUNTS; the entries so far are put back after.
    local -a saved=()
    mapfile -t saved < "${mount_file}"
    : > "${mount_file}"
    parts hooks.d .sh
    for f in ${_parts[@]+"${_parts[@]}"}; do
        if [ -x "${f}" ]; then
            "${f}" < /dev/null || common::err "${f} exited with return code $?"
        fi
    done
    if declare -F hooks > /dev/null; then
        hooks
    fi
    enroot-mount --root "${rootfs}" "${mount_file}"
    printf "%s\n" ${saved[@]+"${saved[@]}"} > "${mount_file}"
    common::envfmt "${environ_file}"
}

do_mounts_fini() {
    local m
    if declare -F mounts > /dev/null; then
        mounts >> "${mount_file}"
    fi
    while IFS= read -r m; do
        [ -n "${m}" ] && printf "%s\n" "${m//:/ }"
    done <<< "${SQUASHROOT_MOUNTS-}" >> "${mount_file}"
    enroot-mount --root "${rootfs}" "${mount_file}"
}

do_rc() {
    if [ -n "${SQUASHROOT_RC-}" ]; then
        cp -Lp "${SQUASHROOT_RC}" "${rc_file}"
    elif declare -F rc > /dev/null; then
        declare -f rc | sed '1,2d;$d' > "${rc_file}"
    fi
}

# The root filesystem becomes a mount of its own, nosuid and nodev.
enroot-mount - <<< "${rootfs} ${rootfs} none bind,nosuid,nodev,private"

(
    export ENROOT_PID="${host_pid}"
    export ENROOT_ROOTFS="${rootfs}"
    export ENROOT_ENVIRON="${environ_file}"
    export ENROOT_MOUNTS="${mount_file}"
    if [ -n "${SQUASHROOT_CONF-}" ]; then
        source "${SQUASHROOT_CONF}"
    fi
    do_environ > /dev/null
    do_mounts_init > /dev/null
    do_hooks > /dev/null
    do_mounts_fini > /dev/null
    do_rc > /dev/null
)

if [ -z "${ENROOT_ROOTFS_WRITABLE-}" ]; then
    enroot-mount - <<< "none ${rootfs} none remount,bind,nosuid,nodev,ro"
fi

# ---- what enroot-switchroot does: environment, login defaults, working directory, argv ----

declare -A env=()
while IFS= read -r line; do
    env["${line%%=*}"]="${line#*=}"
done < "${environ_file}"

uid=0
if [ -n "${SQUASHROOT_MAP-}" ]; then
    uid="${SQUASHROOT_MAP%%:*}"
fi

# One value of /etc/login.defs in the image.
logindef() {
    local k v
    [ -f "${rootfs}/etc/login.defs" ] || return 0
    while read -r k v _; do
        [ "${k}" = "$1" ] && { v="${v#\"}"; printf "%s" "${v%\"}"; return 0; }
    done < "${rootfs}/etc/login.defs"
}

workdir=/
if [ -n "${ENROOT_LOGIN_SHELL-}" ]; then
    pw_name="" pw_home="" pw_shell=""
    if [ -f "${rootfs}/etc/passwd" ]; then
        while IFS=: read -r n _ u _ _ h s; do
            if [ "${u}" = "${uid}" ]; then pw_name="${n}" pw_home="${h}" pw_shell="${s}"; break; fi
        done < "${rootfs}/etc/passwd"
    fi
    [ -v 'env[TERM]' ] || env[TERM]=dumb
    [ -n "${pw_home}" ] && { [ -v 'env[HOME]' ] || env[HOME]="${pw_home}"; }
    [ -n "${pw_shell}" ] && { [ -v 'env[SHELL]' ] || env[SHELL]="${pw_shell}"; }
    [ -n "${pw_name}" ] && { [ -v 'env[USER]' ] || env[USER]="${pw_name}"; [ -v 'env[LOGNAME]' ] || env[LOGNAME]="${pw_name}"; }
    if ! [ -v 'env[PATH]' ]; then
        if [ "${uid}" = 0 ]; then p=$(logindef ENV_SUPATH); d=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        else p=$(logindef ENV_PATH); d=/usr/local/bin:/usr/bin:/bin; fi
        p="${p#PATH=}"
        env[PATH]="${p:-${d}}"
    fi
    if [ -n "${env[HOME]-}" ]; then
        if [ -d "${rootfs}/${env[HOME]#/}" ]; then
            workdir="${env[HOME]}"
        else
            case "$(logindef DEFAULT_HOME)" in
            [yY][eE][sS]|[tT][rR][uU][eE]) echo "squashroot: no home directory ${env[HOME]}, starting in /" >&2 ;;
            *) common::err "failed to change directory: ${env[HOME]}" ;;
            esac
        fi
    fi
fi

shell="${env[SHELL]-}"
if [ -z "${shell}" ] || [ ! -x "${rootfs}/${shell#/}" ] || [ -d "${rootfs}/${shell#/}" ]; then
    shell=/bin/sh
fi
arg0="${shell##*/}"
cmd=("${shell}")
[ -n "${ENROOT_LOGIN_SHELL-}" ] && cmd+=(-l)

if [ -f "${rc_file}" ]; then
    exec 4< "${rc_file}"
    cmd+=(/proc/self/fd/4 "$@")
elif [ -e "${rootfs}/etc/rc" ] || [ -L "${rootfs}/etc/rc" ]; then
    cmd+=(/etc/rc "$@")
elif [ $# -gt 0 ]; then
    if [[ "$1" == *" "* ]]; then
        cmd+=(-c "$1" "${arg0}" "${@:2}")
    else
        target="$1"
        [[ "${target}" == /* ]] || target="${workdir%/}/${target}"
        if [ ! -e "${rootfs}${target}" ] || [ -x "${rootfs}${target}" ]; then
            cmd+=(-c 'exec "$@"' "${arg0}" "$@")
        else
            cmd+=("$@")
        fi
    fi
fi

final_env=()
for k in "${!env[@]}"; do
    final_env+=("${k}=${env[${k}]}")
done

map=()
if [ -n "${SQUASHROOT_MAP-}" ]; then
    map=(--user "--map-user=${SQUASHROOT_MAP%%:*}" "--map-group=${SQUASHROOT_MAP#*:}")
fi

# Stay as init: run the command as our child, pass it the signals we get, and exit as it did.
# (bash starts background jobs with SIGINT and SIGQUIT ignored; env gives them back.)
exec 3<&0
"${env_bin}" -i --default-signal=INT,QUIT ${final_env[@]+"${final_env[@]}"} "${unshare_bin}" ${map[@]+"${map[@]}"} \
    --root="${rootfs}" --wd="${workdir}" -- "${cmd[@]}" <&3 3<&- &
child=$!
exec 3<&- 4<&-
for sig in TERM INT HUP QUIT USR1 USR2; do
    trap "kill -${sig} ${child} 2> /dev/null || :" "${sig}"
done
set +e
wait_child "${child}"
status=$?
exit "${status}"
