/*
 * Fuzz target for encoding detection and conversion. The input is the bytes of a text file.
 * Detection either names an encoding or fails with an offset inside the input; converting
 * from the detected encoding (and from each of the three, whatever was detected) either
 * fails with an offset inside the input or gives NUL-terminated valid UTF-8.
 */
#include "smesec/alloc.h"
#include "smesec/err.h"
#include "smesec/text.h"
#include "smesec/utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void convert(const uint8_t *data, size_t size, enum sm_encoding enc, bool must_work)
{
    char *out = NULL;
    size_t len = 0;
    struct sm_diag diag;
    int rc = sm_text_to_utf8(data, size, enc, &out, &len, &diag);
    if (rc == SM_EPARSE) {
        /* Detected as UTF-8 means valid UTF-8, unless a byte order mark decided. */
        bool bom = size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF;
        if (must_work && enc == SM_ENC_UTF8 && !bom)
            __builtin_trap();
        if (diag.offset < 0 || (size_t)diag.offset > size || out)
            __builtin_trap();
        return;
    }
    if (rc == SM_ENOMEM || rc == SM_EUNSUPPORTED)
        return;
    if (rc != SM_OK || out[len] != '\0' || !sm_utf8_valid(out, len, NULL))
        __builtin_trap();
    sm_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum sm_encoding enc;
    struct sm_diag diag;
    int rc = sm_encoding_detect(data, size, &enc, &diag);
    if (rc == SM_OK)
        convert(data, size, enc, true);
    else if (rc != SM_EPARSE || diag.offset < 0 || (size_t)diag.offset > size)
        __builtin_trap();
    convert(data, size, SM_ENC_UTF8, false);
    convert(data, size, SM_ENC_SHIFT_JIS, false);
    convert(data, size, SM_ENC_EUC_JP, false);
    return 0;
}
