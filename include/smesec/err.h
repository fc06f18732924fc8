/*
 * Errors shared by every part of libsmesec.
 *
 * Every fallible function returns an int: SM_OK (0) on success, a negative enum sm_err on
 * failure. Human-readable detail travels in an optional struct sm_diag the caller owns; the
 * library never prints and never exits. Adapters (CLI, web) map codes to exit statuses or
 * HTTP statuses in exactly one function each.
 */
#ifndef SMESEC_ERR_H
#define SMESEC_ERR_H

#include <stddef.h>

enum sm_err {
    SM_OK = 0,
    SM_ENOMEM = -1,       /* allocation failed */
    SM_EINVAL = -2,       /* bad argument or input that breaks a rule */
    SM_ENOTFOUND = -3,    /* the thing asked for does not exist */
    SM_EEXIST = -4,       /* conflicts with something that exists */
    SM_EIO = -5,          /* file or socket failure */
    SM_EDB = -6,          /* the database refused or failed */
    SM_EAUTH = -7,        /* wrong credentials or no valid session */
    SM_EPERM = -8,        /* authenticated but not allowed */
    SM_ELIMIT = -9,       /* too large, too many, or rate limited */
    SM_EPARSE = -10,      /* malformed input (JSON, form, UTF-8, template) */
    SM_EUNSUPPORTED = -11 /* a feature or format this build cannot handle */
};

/* Detail for the last failure. msg is lower case, says what failed first and quotes the
 * subject ("cannot open database 'x.db': ..."). line and offset are -1 when not known. */
struct sm_diag {
    char msg[512];
    long line;
    long offset;
};

/* Returns a static, lower-case description of code. Never NULL. Thread-safe. */
const char *sm_strerror(int code);

/* Clears diag (msg empty, line and offset -1). diag may be NULL. */
void sm_diag_clear(struct sm_diag *diag);

/* Formats into diag->msg (truncating) and returns code, so callers can write
 * `return sm_diag_set(diag, SM_EINVAL, "bad '%s'", s);`. diag may be NULL. */
int sm_diag_set(struct sm_diag *diag, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
