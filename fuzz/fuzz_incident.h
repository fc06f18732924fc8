/*
 * The checks the incident fuzz targets (fuzz_incident_csv.c, fuzz_incident_json.c) make on
 * a parsed batch: header-only (static) because each target is its own program and
 * fuzz/CMakeLists.txt builds every fuzz_*.c file as one.
 */
#ifndef SM_FUZZ_INCIDENT_H
#define SM_FUZZ_INCIDENT_H

#include "smesec/alloc.h"
#include "smesec/sharing.h"
#include "smesec/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void fuzz_check_text(const char *s)
{
    if (s && !sm_utf8_valid(s, strlen(s), NULL))
        abort();
}

static inline bool fuzz_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Scrubbed text must not keep an address of the form x@y. */
static inline void fuzz_check_scrubbed(const char *s)
{
    if (!s)
        return;
    fuzz_check_text(s);
    for (size_t i = 1; s[i] && s[i + 1]; i++)
        if (s[i] == '@' && fuzz_alnum(s[i - 1]) && fuzz_alnum(s[i + 1]))
            abort();
}

static inline void fuzz_check_batch(const struct sm_incident_batch *b)
{
    for (size_t e = 0; e < b->n_errors; e++) {
        const struct sm_incident_error *er = &b->errors[e];
        if (er->index != SIZE_MAX && (er->index >= b->n || !b->bad[er->index]))
            abort();
        if (!er->message)
            abort();
        fuzz_check_text(er->message);
    }
    for (size_t i = 0; i < b->n; i++) {
        const struct sm_incident *in = &b->items[i];
        const char *texts[] = { in->ext_id,         in->detected_on, in->prefecture,   in->industry,
                                in->malware_family, in->notes,       in->customer_name };
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
            fuzz_check_text(texts[t]);
        if (b->bad[i])
            continue;
        if (!in->ext_id || !in->detected_on || !in->prefecture || !in->industry ||
            in->service_id <= 0)
            abort(); /* a good report has its required fields */
        struct sm_incident_anon a;
        struct sm_diag d;
        int rc = sm_sharing_anonymise(NULL, in, &a, &d);
        if (rc == SM_ENOMEM || rc == SM_ELIMIT)
            continue;
        if (rc != SM_OK)
            abort();
        fuzz_check_scrubbed(a.notes);
        fuzz_check_scrubbed(a.family);
        sm_incident_anon_release(&a);
    }
}

#endif
