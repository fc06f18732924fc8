/*
 * Fuzz target for the DOCX reader (libzip + libxml2 behind sm_document_read_mem). An input
 * that starts with "PK" is the bytes of a .docx file. Any other input is the XML of
 * word/document.xml, which the target wraps in a ZIP of its own (one stored entry with the
 * right CRC): a mutated ZIP almost never inflates to XML that passes its CRC, so this is how
 * the fuzzer reaches the XML walk. Reading uses small limits so that ZIP bombs and huge texts
 * are refused quickly. A document that is accepted has at least one page with text, its
 * pages numbered from 1 in order, each NUL-terminated valid UTF-8 of the stated length.
 */
#include "smesec/err.h"
#include "smesec/text.h"
#include "smesec/utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint8_t *put16(uint8_t *o, uint32_t v)
{
    o[0] = (uint8_t)v;
    o[1] = (uint8_t)(v >> 8);
    return o + 2;
}

static uint8_t *put32(uint8_t *o, uint32_t v)
{
    return put16(put16(o, v & 0xFFFF), v >> 16);
}

/* A ZIP with xml as its one stored entry word/document.xml; *len gets its size. */
static uint8_t *wrap(const uint8_t *xml, size_t n, size_t *len)
{
    static const char name[] = "word/document.xml";
    const uint32_t nl = sizeof name - 1, crc = crc32(xml, n), size = (uint32_t)n;
    uint8_t *z = malloc(30 + nl + n + 46 + nl + 22);
    if (!z)
        return NULL;
    uint8_t *o = put32(z, 0x04034b50); /* local file header */
    o = put16(put16(put16(put16(put16(o, 20), 0), 0), 0), 0);
    o = put32(put32(put32(o, crc), size), size);
    o = put16(put16(o, nl), 0);
    memcpy(o, name, nl);
    o += nl;
    memcpy(o, xml, n);
    o += n;
    uint32_t cd = (uint32_t)(o - z);
    o = put32(o, 0x02014b50); /* central directory header */
    o = put16(put16(put16(put16(put16(put16(o, 20), 20), 0), 0), 0), 0);
    o = put32(put32(put32(o, crc), size), size);
    o = put16(put16(put16(put16(put16(o, nl), 0), 0), 0), 0);
    o = put32(put32(o, 0), 0);
    memcpy(o, name, nl);
    o += nl;
    uint32_t cd_size = (uint32_t)(o - z) - cd;
    o = put32(o, 0x06054b50); /* end of central directory */
    o = put16(put16(put16(put16(o, 0), 0), 1), 1);
    o = put16(put32(put32(o, cd_size), cd), 0);
    *len = (size_t)(o - z);
    return z;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *wrapped = NULL;
    if (size > (1 << 20))
        return 0;
    if (size < 2 || data[0] != 'P' || data[1] != 'K') {
        wrapped = wrap(data, size, &size);
        if (!wrapped)
            return 0;
        data = wrapped;
    }
    struct sm_read_limits limits;
    sm_read_limits_init(&limits);
    limits.max_file_bytes = 1 << 20;
    limits.max_text_bytes = 1 << 20;
    limits.max_pages = 100;
    struct sm_document *doc = NULL;
    struct sm_diag diag;
    int rc = sm_document_read_mem(data, size, "f.docx", SM_DOC_DOCX, &limits, &doc, &diag);
    if (rc != SM_OK) {
        if (doc || (rc != SM_ENOMEM && strncmp(diag.msg, "cannot read 'f.docx': ", 22) != 0))
            __builtin_trap();
        free(wrapped);
        return 0;
    }
    if (doc->format != SM_DOC_DOCX || doc->n_pages == 0 || doc->n_pages > limits.max_pages)
        __builtin_trap();
    bool text = false;
    for (size_t i = 0; i < doc->n_pages; i++) {
        const struct sm_page *p = &doc->pages[i];
        if (p->number != (int)i + 1 || p->text[p->len] != '\0' ||
            !sm_utf8_valid(p->text, p->len, NULL))
            __builtin_trap();
        text = text || p->len > 0;
    }
    if (!text)
        __builtin_trap();
    sm_document_free(doc);
    free(wrapped);
    return 0;
}
