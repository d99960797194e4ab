#!/usr/bin/env bash
# tools/mkiso.sh KERNEL.elf OUT.iso: a GRUB rescue ISO that boots the kernel
# through Multiboot2 on both BIOS (i386-pc) and UEFI (x86_64-efi).
#
# Only the GRUB modules tools/grub.cfg needs go in (for both platforms), and no
# locales, themes or fonts: an image is about 5 MB instead of 20. Most of what
# is left is the 2.88 MB FAT image that carries GRUB's UEFI loader.
set -euo pipefail
elf=$1 iso=$2
# normal: runs grub.cfg; multiboot2: loads kiln; all_video: a framebuffer under
# UEFI (without it kiln gets no console there); smbios: the command line;
# iso9660 and every part_*: find the files on the CD (GRUB's UEFI core loads
# each partition map it knows, printing "file not found" for a missing one).
modules="normal multiboot2 all_video smbios iso9660 $(cd /usr/lib/grub/x86_64-efi && echo part_*.mod | sed "s/\.mod//g")"
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$dir.log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/kiln.elf"
cp "$(dirname "$0")/grub.cfg" "$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$iso.tmp" --install-modules="$modules" --locales= --themes= --fonts= \
    --compress=xz "$dir" 2>"$dir.log" || { cat "$dir.log" >&2; rm -f "$iso.tmp"; exit 1; }
mv "$iso.tmp" "$iso"
