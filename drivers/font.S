/* The console font: Debian console-data's default8x16.psf (PSF1), unpacked
 * into build/ by the Makefile and embedded here. */
    .section .rodata
    .global console_font, console_font_end
console_font:
    .incbin FONT_PATH
console_font_end:

    .section .note.GNU-stack, "", @progbits
