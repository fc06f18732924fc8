/*
 * Reading guideline documents into normalised text with page numbers.
 *
 * Formats: PDF (poppler-glib; one page per PDF page, repeated headers and footers dropped,
 * lines broken inside a sentence joined), DOCX (libzip + libxml2; page breaks where the
 * document has explicit ones, else one page), plain text and Markdown (UTF-8, Shift_JIS or
 * EUC-JP, detected and converted; form feeds separate pages). Every page's text is then
 * normalised by sm_text_normalize, so offsets into it are stable for evidence.
 *
 * Bad input is refused whole, with the file and the reason in diag: an empty file (SM_EINVAL),
 * a file over the limit (SM_ELIMIT), a corrupt file (SM_EPARSE), an encrypted PDF
 * (SM_EUNSUPPORTED), a ZIP whose content would expand past the limit (SM_ELIMIT), a
 * document with no text (SM_EINVAL), text that is not valid in any supported encoding
 * (SM_EPARSE, with the byte offset).
 *
 * Functions here are thread-safe: they share no state.
 */
#ifndef SMESEC_TEXT_H
#define SMESEC_TEXT_H

#include "smesec/err.h"

#include <stddef.h>

enum sm_doc_format {
    SM_DOC_AUTO, /* guess from the content's magic bytes, then the file name's extension */
    SM_DOC_TEXT,
    SM_DOC_MARKDOWN,
    SM_DOC_PDF,
    SM_DOC_DOCX
};

/* "auto", "text", "markdown", "pdf", "docx". Static. */
const char *sm_doc_format_name(enum sm_doc_format format);

enum sm_encoding {
    SM_ENC_UTF8,
    SM_ENC_SHIFT_JIS, /* read as Windows-31J (CP932), the superset Japanese files really use */
    SM_ENC_EUC_JP
};

/* "UTF-8", "Shift_JIS", "EUC-JP". Static. */
const char *sm_encoding_name(enum sm_encoding enc);

/* Limits on what one document may cost to read. */
struct sm_read_limits {
    size_t max_file_bytes; /* the file as given; default 64 MiB */
    size_t max_text_bytes; /* extracted text, and any ZIP member expanded; default 64 MiB */
    size_t max_pages;      /* default 5,000 */
};

void sm_read_limits_init(struct sm_read_limits *limits);

/* One page of normalised UTF-8 text. number counts from 1. */
struct sm_page {
    int number;
    char *text;
    size_t len;
};

/* A document read into pages. Owned by the caller (sm_document_free). */
struct sm_document {
    enum sm_doc_format format; /* the format actually read */
    enum sm_encoding encoding; /* the source encoding (UTF-8 for PDF and DOCX) */
    size_t n_pages;
    struct sm_page *pages;
};

/* Reads the file at path. limits may be NULL for the defaults. */
int sm_document_read_file(const char *path, enum sm_doc_format format,
                          const struct sm_read_limits *limits, struct sm_document **out,
                          struct sm_diag *diag);

/* Reads from memory; name is used to guess the format and in messages (may be NULL). */
int sm_document_read_mem(const void *data, size_t n, const char *name, enum sm_doc_format format,
                         const struct sm_read_limits *limits, struct sm_document **out,
                         struct sm_diag *diag);

/* Builds a document from pages of text that are already UTF-8 (as stored in the database):
 * each is copied and normalised (normalising is idempotent, so stored pages come back
 * unchanged). numbers may be NULL for pages 1..n_pages. Owned by the caller. */
int sm_document_from_pages(const char *const *texts, const int *numbers, size_t n_pages,
                           struct sm_document **out, struct sm_diag *diag);

void sm_document_free(struct sm_document *doc);

/* Detects the encoding of text: a UTF-8 BOM or valid UTF-8 gives SM_ENC_UTF8; otherwise the
 * byte patterns decide between Shift_JIS and EUC-JP. SM_EPARSE when the bytes are valid in
 * none of them, with the offset of the first bad byte in diag. */
int sm_encoding_detect(const void *data, size_t n, enum sm_encoding *out, struct sm_diag *diag);

/* Converts data in enc to UTF-8 (a BOM is dropped). *out is owned by the caller (sm_free)
 * and NUL-terminated. SM_EPARSE with the byte offset for an invalid sequence. */
int sm_text_to_utf8(const void *data, size_t n, enum sm_encoding enc, char **out, size_t *out_len,
                    struct sm_diag *diag);

/*
 * Normalises UTF-8 text for analysis, in one place:
 *  - Unicode NFKC (full-width ASCII and half-width katakana become their usual forms);
 *  - wave dashes and tildes (U+301C, U+FF5E, U+223C) become U+301C; hyphen-like marks after
 *    katakana (U+2010..U+2015, U+2212, U+FF0D, '-') become the long vowel mark U+30FC;
 *  - CR LF and CR become LF; other control characters (but LF and form feed) are dropped;
 *  - a line break inside a sentence is removed (a line that does not end in 。．！？：, a
 *    closing bracket, or a list item's end, followed by a line that does not start a list
 *    item or a heading); spaces that PDF extraction leaves between Japanese characters are
 *    removed; runs of spaces collapse to one.
 * *out is owned by the caller (sm_free). SM_EPARSE with the offset for invalid UTF-8;
 * SM_ELIMIT for text that would grow more than eightfold (only contrived input does).
 */
int sm_text_normalize(const char *s, size_t n, char **out, size_t *out_len, struct sm_diag *diag);

/* A sentence (or list item or heading line) of a page: a byte range of its text. */
struct sm_sentence {
    size_t offset;
    size_t len;
};

/* Splits normalised text into sentences at 。！？ (and their ASCII forms followed by a
 * space), at line breaks and at list markers, trimming white space. *out is owned by the
 * caller (sm_free); *count may be 0 (and *out NULL) for text with no sentence. */
int sm_text_sentences(const char *s, size_t n, struct sm_sentence **out, size_t *count);

#endif
