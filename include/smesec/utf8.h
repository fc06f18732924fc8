/* UTF-8 validation at the boundaries (HTTP, CLI, files, database). Offsets are bytes. */
#ifndef SMESEC_UTF8_H
#define SMESEC_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). When it
 * is not and bad_offset is not NULL, *bad_offset gets the byte offset of the first bad byte. */
bool sm_utf8_valid(const char *s, size_t n, size_t *bad_offset);

/* Number of code points in well-formed s[0..n). */
size_t sm_utf8_codepoints(const char *s, size_t n);

#endif
