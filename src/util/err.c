/* Error codes and the diagnostics struct (see smesec/err.h). */
#include "smesec/err.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/banned.h"

const char *sm_strerror(int code)
{
    switch ((enum sm_err)code) {
    case SM_OK:
        return "success";
    case SM_ENOMEM:
        return "out of memory";
    case SM_EINVAL:
        return "invalid input";
    case SM_ENOTFOUND:
        return "not found";
    case SM_EEXIST:
        return "already exists";
    case SM_EIO:
        return "input/output error";
    case SM_EDB:
        return "database error";
    case SM_EAUTH:
        return "not authenticated";
    case SM_EPERM:
        return "not allowed";
    case SM_ELIMIT:
        return "limit exceeded";
    case SM_EPARSE:
        return "malformed input";
    case SM_EUNSUPPORTED:
        return "not supported";
    }
    return "unknown error";
}

void sm_diag_clear(struct sm_diag *diag)
{
    if (!diag)
        return;
    diag->msg[0] = '\0';
    diag->line = -1;
    diag->offset = -1;
}

int sm_diag_set(struct sm_diag *diag, int code, const char *fmt, ...)
{
    if (diag) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
        va_end(ap);
        /* A cut message must not end inside a UTF-8 sequence: it may reach HTML or JSON. */
        if (n >= (int)sizeof diag->msg) {
            size_t end = sizeof diag->msg - 1;
            size_t start = end;
            while (start > 0 && ((unsigned char)diag->msg[start - 1] & 0xC0) == 0x80)
                start--;
            if (start > 0 && (unsigned char)diag->msg[start - 1] >= 0xC0) {
                unsigned char lead = (unsigned char)diag->msg[start - 1];
                size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                if (end - (start - 1) < need)
                    diag->msg[start - 1] = '\0';
            }
        }
    }
    return code;
}
