#!/usr/bin/env bash
# GPUs: when NVIDIA_VISIBLE_DEVICES asks for devices, let nvidia-container-cli put the driver
# libraries, binaries and device nodes into the container root, with the arguments enroot's
# NVIDIA hook passes (see docs/user-guide.md, "GPUs").
set -euo pipefail
export PATH="${PATH}:/usr/sbin:/sbin"
source "${ENROOT_LIBRARY_PATH}/common.sh"

# The container's environment (image, environ.d, --env) may ask too; the host's value wins.
while IFS='=' read -r key value; do
    [[ "${key}" == NVIDIA_* ]] || continue
    [ -v "${key}" ] || export "${key}=${value}"
done < <(tac "${ENROOT_ENVIRON}")

if [ "${NVIDIA_VISIBLE_DEVICES:-void}" = void ]; then
    exit 0
fi
ldconfig_bin=$(command -v ldconfig.real || command -v ldconfig || echo /sbin/ldconfig)
args=("--no-cgroups" "--ldconfig=@${ldconfig_bin}")
if [ "${NVIDIA_VISIBLE_DEVICES}" != none ]; then
    args+=("--device=${NVIDIA_VISIBLE_DEVICES}")
fi
if [ -n "${NVIDIA_MIG_CONFIG_DEVICES-}" ]; then
    args+=("--mig-config=${NVIDIA_MIG_CONFIG_DEVICES}")
fi
if [ -n "${NVIDIA_MIG_MONITOR_DEVICES-}" ]; then
    args+=("--mig-monitor=${NVIDIA_MIG_MONITOR_DEVICES}")
fi
caps="${NVIDIA_DRIVER_CAPABILITIES:-utility}"
for cap in ${caps//,/ }; do
    case "${cap}" in
    all) args+=("--compute" "--compat32" "--display" "--graphics" "--utility" "--video"); break ;;
    compute|compat32|display|graphics|utility|video) args+=("--${cap}") ;;
    *) common::err "Unknown NVIDIA driver capability: ${cap}" ;;
    esac
done
if [ -z "${NVIDIA_DISABLE_REQUIRE-}" ]; then
    for req in $(compgen -e NVIDIA_REQUIRE_ || :); do
        args+=("--require=${!req}")
    done
fi
command -v nvidia-container-cli > /dev/null \
    || common::err "Command not found: nvidia-container-cli, see https://github.com/NVIDIA/libnvidia-container"
if ! grep -qs nvidia_uvm /proc/modules; then
    common::log WARN "Kernel module nvidia_uvm is not loaded. Make sure the NVIDIA device driver is installed and loaded."
fi
if [[ " ${args[*]} " == *" --compute "* ]]; then
    enroot-mount --root "${ENROOT_ROOTFS}" - <<< "/dev/gdrdrv /dev/gdrdrv none x-create=file,bind,ro,nosuid,noexec,private,nofail,silent"
    enroot-mount --root "${ENROOT_ROOTFS}" - <<< "/dev/nvidia-caps-imex-channels /dev/nvidia-caps-imex-channels none x-create=dir,bind,ro,nosuid,noexec,private,nofail,silent"
fi
exec nvidia-container-cli --user ${NVIDIA_DEBUG_LOG+--debug=/dev/stderr} configure "${args[@]}" "${ENROOT_ROOTFS}"
