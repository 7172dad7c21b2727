# squashroot's enroot-mount as a bash function, enroot_mount [--root DIR] [--pass N] FSTAB..., so
# the start script runs it without a process per call (bin/enroot-mount wraps it for hooks).
# It performs the entries of fstab files relative to a root directory, with enroot's
# extensions (written for squashroot from enroot's documented behaviour):
#   x-create=dir|file|auto  create the mount point first (auto: like the source when binding)
#   x-move / x-detach       move a mount / lazily unmount the mount point
#   nofail / silent         a failure is not fatal / is not reported
#   fs_passno               only entries whose pass equals --pass (default 0) are performed;
#                           fs_freq is used as the pass when the pass is 0 (enroot's rule)
# and its shorthands (enroot-mount.c): "tmpfs /dst", "/src", "/src bind", "/src /dst",
# "/src /dst bind". Mount points are resolved inside the root, symlinks included, never
# escaping it. Mounts go through util-linux mount(8) (-n: no utab in a user namespace).
_EM_OURS=" x-create=dir x-create=file x-create=auto x-move x-detach nofail silent loud auto noauto defaults group nogroup owner noowner user nouser users nousers "
_EM_PROPAGATION=" private rprivate slave rslave shared rshared unbindable runbindable "
_EM_KNOWN=" async atime bind dev diratime dirsync exec iversion mand noatime nodev nodiratime noexec noiversion nomand norelatime nostrictatime nosuid rbind relatime remount ro rw strictatime suid sync lazytime nolazytime ${_EM_PROPAGATION}${_EM_OURS} "

ismntopt() {
    [[ "$1" == *,* ]] || [[ "${_EM_KNOWN}" == *" $1 "* ]]
}

# Resolves $2 inside root $1 like enroot's realpathat: symlinks are followed relative to the
# root, ".." stops at the root, missing components are kept as they are. The result is left in
# _em_path (a variable, not output: a command substitution would fork once per mount).
resolve() {
    local -r top="${1%/}"
    local rest="$2" res="" comp link links=0 missing=0
    while [ -n "${rest}" ]; do
        comp="${rest%%/*}"
        if [[ "${rest}" == */* ]]; then rest="${rest#*/}"; else rest=""; fi
        case "${comp}" in
        ""|.) continue ;;
        ..) res="${res%/*}"; ((missing > 0)) && missing=$((missing - 1)); continue ;;
        esac
        if ((missing == 0)) && [ -L "${top}${res}/${comp}" ]; then
            if ((links++ >= 40)); then
                echo "enroot-mount: too many levels of symbolic links: $2" >&2
                return 1
            fi
            link=$(readlink "${top}${res}/${comp}")
            [[ "${link}" == /* ]] && res=""
            rest="${link}${rest:+/${rest}}"
            continue
        fi
        [ -e "${top}${res}/${comp}" ] || missing=$((missing + 1))
        res+="/${comp}"
    done
    _em_path="${top}${res:-/}"
}

# The mount points and per-mount flags (mountinfo fields 5 and 6) of this namespace, into the
# arrays _em_mnts and _em_opts, in mountinfo order.
read_mounts() {
    local id parent dev fsroot mnt opts rest
    _em_mnts=() _em_opts=()
    while read -r id parent dev fsroot mnt opts rest; do
        printf -v mnt "%b" "${mnt//\\/\\0}"
        _em_mnts+=("${mnt}") _em_opts+=("${opts}")
    done < /proc/self/mountinfo
}

# The per-mount flags of the mount at $1 that a user namespace locks: a remount must repeat them
# or it fails with EPERM. Left in _em_locked as ",flag,flag" (a variable, not output: no
# subshell). Mounts change during the setup, so the table is read afresh.
locked_flags() {
    local i found=""
    read_mounts
    for i in "${!_em_mnts[@]}"; do
        [ "${_em_mnts[i]}" = "$1" ] && found="${_em_opts[i]}"
    done
    _em_have_host=""
    lockable "${found}"
}

# The lockable flags among the mount flags $1, into _em_locked.
lockable() {
    local f o
    _em_locked=""
    IFS=, read -r -a f <<< "$1"
    for o in ${f[@]+"${f[@]}"}; do
        case "${o}" in
        ro|nosuid|nodev|noexec|noatime|nodiratime|relatime) _em_locked+=",${o}" ;;
        esac
    done
}

# The locked flags a bind of host path $1 will carry: those of the mount containing it. The
# table is read once (sources are host paths, whose mounts do not change while the container is
# set up) and read again only after locked_flags replaced it. Into _em_locked.
source_flags() {
    local i mnt best=-1 found=""
    if [ -z "${_em_have_host-}" ]; then
        read_mounts
        _em_have_host=1
    fi
    resolve / "$1" || { _em_locked=""; return 0; }
    for i in "${!_em_mnts[@]}"; do
        mnt="${_em_mnts[i]}"
        # the longest mount point containing the path wins; a later equal one is mounted over it
        if [[ "${_em_path}" == "${mnt%/}"/* || "${_em_path}" == "${mnt}" ]] && ((${#mnt} >= best)); then
            best=${#mnt} found="${_em_opts[i]}"
        fi
    done
    lockable "${found}"
}

create() {
    local -r path="$1" kind="$2"
    [ -d "${path%/*}/" ] || mkdir -p -m 0755 "${path%/*}/"
    # Two starts of one container may create the same mount point at once: losing the race is fine.
    if [ "${kind}" = dir ]; then
        [ -d "${path}" ] || mkdir -m 0755 "${path}" 2> /dev/null || [ -d "${path}" ]
    else
        [ -e "${path}" ] || : >> "${path}"
    fi
}

mount_entry() {
    local src="$1" dst="$2" type="$3" opts="$4"
    local path kind="" data="" prop=() o bind="" remount="" flags="" list=()
    local fatal=y verbose=y

    [[ ",${opts}," == *,nofail,* ]] && fatal=""
    [[ ",${opts}," == *,silent,* ]] && verbose=""
    [[ ",${opts}," == *,loud,* ]] && verbose=y

    fail() {
        if [ -n "${fatal}" ]; then
            echo "enroot-mount: $1" >&2
            exit 1
        fi
        [ -n "${verbose}" ] && echo "enroot-mount: $1" >&2
        return 0
    }

    resolve "${root}" "${dst}" || { fail "failed to resolve path: ${root%/}/${dst#/}"; return 0; }
    path="${_em_path}"

    IFS=, read -r -a list <<< "${opts}"
    for o in ${list[@]+"${list[@]}"}; do
        case "${o}" in
        "") ;;
        x-create=file) kind=file ;;
        x-create=dir) kind=dir ;;
        x-create=auto)
            if [[ ",${opts}," != *,bind,* && ",${opts}," != *,rbind,* ]] || [ -d "${src}" ]; then
                kind=dir
            elif [ -e "${src}" ]; then
                kind=file
            fi
            ;;
        bind) bind=--bind ;;
        rbind) bind=--rbind ;;
        remount) remount=y ;;
        x-move|x-detach) ;;
        *)
            if [[ "${_EM_PROPAGATION}" == *" ${o} "* ]]; then
                prop+=("${o}")
            elif [[ "${_EM_OURS}" != *" ${o} "* ]]; then
                data+="${data:+,}${o}"
            fi
            ;;
        esac
    done

    if [ -n "${kind}" ]; then
        create "${path}" "${kind}" 2> /dev/null || { fail "failed to create ${kind/dir/directory}: ${path}"; return 0; }
    fi

    if [[ ",${opts}," == *,x-detach,* ]]; then
        umount -n -l "${path}" 2> /dev/null || fail "failed to unmount: ${src} at ${path}"
        return 0
    fi
    if [[ ",${opts}," == *,x-move,* ]]; then
        mount -n --move "${src}" "${path}" 2> /dev/null || fail "failed to mount: ${src} at ${path}"
        return 0
    fi

    # One mount(8) per entry where possible: libmount performs a bind's flags as its own
    # remount, and the propagation change, after the mount. The remount must repeat the flags a
    # user namespace locks on the source's mount (say noatime), so those are added first (the
    # entry's own come after and win). Should that one call still fail, the steps below run
    # (a failed remount leaves the plain bind, which they mount over in this private namespace).
    local joined="${prop[*]+${prop[*]}}" all
    joined="${joined// /,}"
    if [ -z "${remount}" ] && [ -n "${bind}" ]; then
        _em_locked=""
        [ -n "${data}" ] && source_flags "${src}"
        all="${_em_locked#,}${data:+${_em_locked:+,}${data}}${joined:+,${joined}}"
        all="${all#,}"
        mount -n "${bind}" ${all:+-o "${all}"} "${src}" "${path}" 2> /dev/null && return 0
    elif [ -z "${remount}" ] && [ -n "${type}" ] && [ "${type}" != none ]; then
        all="${data}${joined:+${data:+,}${joined}}"
        mount -n -t "${type}" ${all:+-o "${all}"} "${src}" "${path}" 2> /dev/null && return 0
    fi

    if [ -n "${remount}" ]; then
        locked_flags "${path}"
        mount -n -o "remount${bind:+,bind}${_em_locked}${data:+,${data}}" "${path}" 2> /dev/null \
            || { fail "failed to mount: ${src} at ${path}"; return 0; }
    elif [ -n "${bind}" ]; then
        mount -n "${bind}" "${src}" "${path}" 2> /dev/null || { fail "failed to mount: ${src} at ${path}"; return 0; }
        if [ -n "${data}" ]; then
            locked_flags "${path}"
            mount -n -o "remount,bind${_em_locked},${data}" "${path}" 2> /dev/null \
                || { fail "failed to mount: ${src} at ${path}"; return 0; }
        fi
    elif [ -n "${type}" ] && [ "${type}" != none ]; then
        mount -n -t "${type}" ${data:+-o "${data}"} "${src}" "${path}" 2> /dev/null \
            || { fail "failed to mount: ${src} at ${path}"; return 0; }
    fi
    for o in ${prop[@]+"${prop[@]}"}; do
        mount -n --make-"${o}" "${path}" 2> /dev/null || { fail "failed to set mount propagation: ${path}"; return 0; }
    done
}

mount_fstab() {
    local -r file="$1"
    local line src dst type opts freq passno n=0
    while IFS= read -r line || [ -n "${line}" ]; do
        n=$((n + 1))
        src=""; dst=""; type=""; opts=""; freq=""; passno=""
        read -r src dst type opts freq passno _ <<< "${line}" || :
        [ -z "${src}" ] && continue
        [[ "${src}" == \#* ]] && continue
        printf -v src "%b" "${src//\\/\\0}"; printf -v dst "%b" "${dst//\\/\\0}"
        freq="${freq:-0}"; passno="${passno:-0}"
        if [ "${freq}" != 0 ] && [ "${passno}" = 0 ]; then
            passno="${freq}"
        fi
        [ "${passno}" = "${pass}" ] || continue

        if [ -n "${dst}" ] && [ -z "${type-}" ] && [ -z "${opts-}" ] && ismntopt "${dst}"; then
            opts="${dst}"; type=none; dst=""
        fi
        if [ -n "${type-}" ] && [ -z "${opts-}" ] && ismntopt "${type}"; then
            opts="${type}"; type=none
            [ "${dst}" = none ] && dst=""
        fi
        if [ "${src}" = tmpfs ]; then
            if [ -z "${type-}" ] || [ "${type}" = none ]; then type=tmpfs; fi
        else
            [ -z "${dst}" ] && dst="${src}"
            if [ -z "${type-}" ] || [ "${type}" = none ]; then
                type=none
                [ -z "${opts-}" ] && opts="rbind,x-create=auto"
            fi
        fi
        if [ -z "${dst}" ] || [ -z "${type-}" ]; then
            echo "enroot-mount: invalid fstab entry: \"${line}\" at ${file}:${n}" >&2
            exit 1
        fi
        mount_entry "${src}" "${dst}" "${type}" "${opts-}"
    done < "${file}"
}

enroot_mount() {
    local root=/ pass=0 f
    while [ $# -ge 2 ]; do
        case "$1" in
        --root) root="$2"; shift 2 ;;
        --pass) pass="$2"; shift 2
                [[ "${pass}" =~ ^-?[0-9]+$ ]] || { echo "enroot-mount: invalid argument: ${pass}" >&2; exit 1; } ;;
        *) break ;;
        esac
    done
    if [ $# -lt 1 ]; then
        echo "Usage: enroot-mount [--root DIR] [--pass NUM] FSTAB..."
        return 0
    fi
    for f in "$@"; do
        if [ "${f}" = - ]; then
            mount_fstab /dev/stdin
        else
            [ -r "${f}" ] || { echo "enroot-mount: failed to open: ${f}" >&2; exit 1; }
            mount_fstab "${f}"
        fi
    done
}
