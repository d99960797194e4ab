#!/usr/bin/env bash
# tools/run.sh bios|uefi|debug ISO: boot kiln in QEMU (software emulation).
#
# With a display ($DISPLAY or $WAYLAND_DISPLAY) QEMU opens a window showing the
# VGA screen or framebuffer; COM1 always reaches this terminal, so on a
# headless machine the output still shows here. Quit with Ctrl-A then X
# (Ctrl-A C switches to the QEMU monitor, where `sendkey a` types a key).
# QEMU_ARGS adds QEMU arguments; KILN_CMDLINE is the kernel command line,
# passed as an SMBIOS OEM string that tools/grub.cfg reads.
set -euo pipefail
mode=$1 iso=$2
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
QEMU=${QEMU:-qemu-system-x86_64}
args=(-accel tcg -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso"
      -m "${MEM:-256M}")
cmdline="kiln${KILN_CMDLINE:+ $KILN_CMDLINE}" # never empty: see tools/grub.cfg
args+=(-smbios "type=11,value=${cmdline//,/,,}")
# shellcheck disable=SC2206 # QEMU_ARGS is split into words on purpose
extra=(${QEMU_ARGS:-})
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -e /usr/lib/x86_64-linux-gnu/qemu/ui-gtk.so ]; then
    args+=(-display gtk)
else
    args+=(-display none) # no window: COM1 on this terminal shows every console line
fi
case $mode in
bios) ;;
uefi) args+=(-bios "$OVMF") ;;
debug)
    elf=${iso%.iso}.elf
    # gdb owns the terminal: COM1 goes to a file.
    "$QEMU" "${args[@]}" "${extra[@]}" -s -S -serial "file:$(dirname "$iso")/debug-serial.log" -monitor none \
        </dev/null &
    qemu=$!
    trap 'kill $qemu 2>/dev/null' EXIT
    # A hardware breakpoint: software ones fail before the higher half exists.
    gdb -q "$elf" -ex 'target remote :1234' -ex 'hbreak kernel_main' -ex continue
    exit 0 ;;
*) echo "usage: $0 bios|uefi|debug ISO" >&2; exit 2 ;;
esac
echo "kiln: booting $iso ($mode). Quit with Ctrl-A then X." >&2
# The firmware's and GRUB's escape codes (colours, screen modes) must not
# outlive QEMU: reset the attributes and restore the tty settings.
if [ -t 1 ]; then
    saved=$(stty -g 2>/dev/null || true)
    trap 'printf "\033[0m\033[?25h\n"; [ -n "$saved" ] && stty "$saved" 2>/dev/null' EXIT
fi
"$QEMU" "${args[@]}" "${extra[@]}" -serial mon:stdio
