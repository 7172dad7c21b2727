# squashroot: the shell functions enroot's hooks call (source "${ENROOT_LIBRARY_PATH}/common.sh").
# Same names and behaviour as enroot's common.sh so that site hooks written for enroot run
# unchanged; written for squashroot. Bash only.

[ -v _COMMON_SH_ ] && return || readonly _COMMON_SH_=1

common::log() {
    local -r lvl="${1-}" msg="${2-}"
    local prefix=
    [ -z "${msg}" ] && return 0
    case "${lvl}" in
    INFO)  prefix="[INFO]" ;;
    WARN)  prefix="[WARN]" ;;
    ERROR) prefix="[ERROR]" ;;
    esac
    if [ "${msg}" = "-" ]; then
        while read -t .01 -r line; do
            printf "%s %b\n" "${prefix}" "${line}" >&2
        done
    else
        printf "%s %b\n" "${prefix}" "${msg}" >&2
    fi
}

common::err() {
    common::log ERROR "$1"
    exit 1
}

common::rmall() {
    rm --one-file-system --preserve-root -rf "$1" 2> /dev/null || \
    { chmod -f -R +rwX "$1" || :; rm --one-file-system --preserve-root -rf "$1"; }
}

common::mktmpdir() {
    umask 077
    mktemp -d -p "${ENROOT_TEMP_PATH-}" "$1.XXXXXXXXXX"
}

common::read() {
    read "$@" || :
}

common::readstrarray() {
    if [ -n "$2" ]; then
        readarray -t "$1" <<< "$2"
    fi
}

common::chdir() {
    cd "$1" 2> /dev/null || common::err "Could not change directory: $1"
}

common::realpath() {
    local rpath=
    if ! rpath=$(readlink -f "$1" 2> /dev/null); then
        common::err "No such file or directory: $1"
    fi
    printf "%s" "${rpath}"
}

# Substitutes ${VAR} (host environment) in a file and prints it; nothing if it does not exist.
common::envsubst() {
    local -r file="$1"
    local line out name
    [ -f "${file}" ] || return 0
    while IFS= read -r line || [ -n "${line}" ]; do
        out=
        while [[ "${line}" =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
            name="${BASH_REMATCH[1]}"
            out+="${line%%"${BASH_REMATCH[0]}"*}${!name-}"
            line="${line#*"${BASH_REMATCH[0]}"}"
        done
        printf "%s\n" "${out}${line}"
    done < "${file}"
}

# Normalises an environment file in place: no indentation, comments, blank or malformed lines,
# no ENROOT_* variables, no quotes around values (enroot's sed rules, in bash: no process).
common::envfmt() {
    local line
    local -a out=()
    while IFS= read -r line || [ -n "${line}" ]; do
        line="${line#"${line%%[![:space:]]*}"}"
        [[ -z "${line}" || "${line}" == \#* ]] && continue
        [[ "${line}" =~ ^[[:alpha:]_][[:alnum:]_]*= ]] || continue
        [[ "${line}" == ENROOT_* ]] && continue
        if [[ "${line}" =~ ^([[:alpha:]_][[:alnum:]_]*)=[\"\'](.*)[\"\'][[:space:]]*$ ]]; then
            line="${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
        fi
        out+=("${line}")
    done < "$1"
    if [ ${#out[@]} -eq 0 ]; then
        : > "$1"
    else
        printf "%s\n" "${out[@]}" > "$1"
    fi
}

# list: prints DIR/*SUFFIX; exec: runs the executable ones, failing on the first that fails.
common::runparts() {
    local -r action="$1" suffix="$2" dir="$3"
    local file
    shopt -s nullglob
    for file in "${dir}"/*"${suffix}"; do
        case "${action}" in
        list) printf "%s\n" "${file}" ;;
        exec)
            if [ -x "${file}" ]; then
                "${file}" || common::err "${file} exited with return code $?"
            fi
            ;;
        esac
    done
    shopt -u nullglob
}

common::checkcmd() {
    local cmd
    for cmd in "$@"; do
        command -v "${cmd}" > /dev/null || common::err "Command not found: ${cmd}"
    done
}

common::fixperms() {
    chmod -f -R u+rX "$1" || :
    find "$1" -maxdepth 15 -type d ! -perm -u=w -exec chmod -f u+w {} \+ || :
}

# passwd/group entries of the user outside the namespace (first line of the id maps).
common::getpwent() {
    local x uid=
    read -r x uid x < /proc/self/uid_map
    getent passwd "${uid}"
}

common::getgrent() {
    local x gid=
    read -r x gid x < /proc/self/gid_map
    getent group "${gid}"
}

common::debarch() {
    case "$1" in
    x86_64)  printf "amd64" ;;
    aarch64) printf "arm64" ;;
    ppc64le) printf "ppc64le" ;;
    *) common::err "Unsupported architecture: $1" ;;
    esac
}

common::mountpoint() {
    local path
    path=$(common::realpath "$1")
    while [ -n "${path}" ] && ! mountpoint -q "${path}"; do
        path="${path%/*}"
    done
    printf "%s" "${path:-/}"
}
