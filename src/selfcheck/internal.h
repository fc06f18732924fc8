/* Shared between the files of src/selfcheck/; not part of the public API. */
#ifndef SM_SELFCHECK_INTERNAL_H
#define SM_SELFCHECK_INTERNAL_H

#include "smesec/selfcheck.h"

/* One built-in question (questions.c). */
struct sm__question {
    const char *item_id;
    const char *ja;
    const char *en;
    enum sm_selfcheck_help help;
};

/* The built-in question for item_id, or NULL. */
const struct sm__question *sm__question_find(const char *item_id);

#endif
