/*
 * The common-item criterion: its default, its spec syntax ("share:0.5:min=1", "count:3",
 * "mean:1.2"), and the sentence every output prints to say which criterion it used.
 *
 * Numbers are read and written here without strtod or printf's %f, which follow the C
 * locale's decimal point: a spec must mean the same on every machine. Shares and means are
 * kept to millionths (six decimals), the precision the parser accepts; sm_judge works in the
 * same units, so "share:0.5" of 12 guidelines is exactly 6 and never 5.999.
 *
 * Limits: share in (0, 1], count in 1..1000000, mean in (0, 2] (the highest score), min 1 or
 * 2; "min=" applies to share and count only, since a mean takes every score as it is.
 */
#include "smesec/commons.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define MICRO     1000000
#define MAX_COUNT 1000000

void sm_criterion_default(struct sm_criterion *c)
{
    *c = (struct sm_criterion){ .kind = SM_CRIT_SHARE, .share = 0.5, .min_score = 1 };
}

/* A non-negative decimal ("0.5", "2", "1.25") with at most six decimals, in millionths.
 * Advances *s past it. */
static bool parse_decimal(const char **s, int64_t *micro)
{
    const char *p = *s;
    int64_t whole = 0, frac = 0, scale = MICRO;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (digits >= 7)
            return false;
        whole = whole * 10 + (*p - '0');
    }
    if (digits == 0)
        return false;
    if (*p == '.') {
        p++;
        size_t fd = 0;
        for (; *p >= '0' && *p <= '9'; p++, fd++) {
            if (fd >= 6)
                return false;
            scale /= 10;
            frac += (*p - '0') * scale;
        }
        if (fd == 0)
            return false;
    }
    *micro = whole * MICRO + frac;
    *s = p;
    return true;
}

static bool parse_int(const char **s, int64_t *v)
{
    const char *p = *s;
    int64_t n = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (digits >= 9)
            return false;
        n = n * 10 + (*p - '0');
    }
    if (digits == 0)
        return false;
    *v = n;
    *s = p;
    return true;
}

/* Millionths of a non-negative value, rounded. */
static int64_t to_micro(double x)
{
    return x <= 0 ? 0 : (int64_t)(x * MICRO + 0.5);
}

/* Writes a value in millionths as a short decimal: 500000 -> "0.5", 2000000 -> "2". */
static void format_decimal(int64_t micro, char *out, size_t size)
{
    int64_t whole = micro / MICRO, frac = micro % MICRO;
    if (frac == 0) {
        snprintf(out, size, "%lld", (long long)whole);
        return;
    }
    char f[8];
    snprintf(f, sizeof f, "%06lld", (long long)frac);
    size_t n = strlen(f);
    while (n > 0 && f[n - 1] == '0')
        f[--n] = '\0';
    snprintf(out, size, "%lld.%s", (long long)whole, f);
}

int sm_criterion_parse(const char *spec, struct sm_criterion *out, struct sm_diag *diag)
{
    struct sm_criterion c = { .min_score = 1 };
    const char *p = spec ? spec : "";
    char q[64];
    snprintf(q, sizeof q, "%s", p);
    if (!*p)
        return sm_diag_set(diag, SM_EINVAL,
                           "empty criterion: give e.g. 'share:0.5', 'count:3' or 'mean:1.2'");
    int64_t v = 0;
    if (strncmp(p, "share:", 6) == 0) {
        p += 6;
        c.kind = SM_CRIT_SHARE;
        if (!parse_decimal(&p, &v) || v <= 0 || v > MICRO)
            return sm_diag_set(diag, SM_EINVAL,
                               "criterion '%s': the share must be a number above 0 and at most "
                               "1, with up to six decimals",
                               q);
        c.share = (double)v / MICRO;
    } else if (strncmp(p, "count:", 6) == 0) {
        p += 6;
        c.kind = SM_CRIT_COUNT;
        if (!parse_int(&p, &v) || v < 1 || v > MAX_COUNT)
            return sm_diag_set(diag, SM_EINVAL,
                               "criterion '%s': the count must be a whole number from 1 to %d", q,
                               MAX_COUNT);
        c.count = (int)v;
    } else if (strncmp(p, "mean:", 5) == 0) {
        p += 5;
        c.kind = SM_CRIT_MEAN;
        if (!parse_decimal(&p, &v) || v <= 0 || v > (int64_t)SM_SCORE_CONCRETE * MICRO)
            return sm_diag_set(diag, SM_EINVAL,
                               "criterion '%s': the mean must be a number above 0 and at most "
                               "%d, with up to six decimals",
                               q, SM_SCORE_CONCRETE);
        c.mean = (double)v / MICRO;
    } else {
        return sm_diag_set(diag, SM_EINVAL,
                           "unknown criterion '%s': it starts with 'share:', 'count:' or 'mean:'",
                           q);
    }
    if (strncmp(p, ":min=", 5) == 0) {
        if (c.kind == SM_CRIT_MEAN)
            return sm_diag_set(diag, SM_EINVAL,
                               "criterion '%s': 'min=' applies to share and count, not to mean", q);
        p += 5;
        if (!parse_int(&p, &v) || v < SM_SCORE_MENTION || v > SM_SCORE_CONCRETE)
            return sm_diag_set(diag, SM_EINVAL, "criterion '%s': min must be 1 or 2", q);
        c.min_score = (int)v;
    }
    if (*p)
        return sm_diag_set(diag, SM_EINVAL,
                           "criterion '%s': unexpected '%s' (the form is e.g. 'share:0.5:min=2')",
                           q, p);
    *out = c;
    return SM_OK;
}

/* True when c is one sm_criterion_parse could have produced. */
static bool valid(const struct sm_criterion *c)
{
    switch (c->kind) {
    case SM_CRIT_SHARE:
        return to_micro(c->share) > 0 && to_micro(c->share) <= MICRO &&
               (c->min_score == 1 || c->min_score == 2);
    case SM_CRIT_COUNT:
        return c->count >= 1 && c->count <= MAX_COUNT && (c->min_score == 1 || c->min_score == 2);
    case SM_CRIT_MEAN:
        return to_micro(c->mean) > 0 && to_micro(c->mean) <= (int64_t)SM_SCORE_CONCRETE * MICRO;
    }
    return false;
}

int sm_criterion_format(const struct sm_criterion *c, struct sm_buf *out)
{
    char num[32];
    if (!valid(c))
        return SM_EINVAL;
    switch (c->kind) {
    case SM_CRIT_SHARE:
        format_decimal(to_micro(c->share), num, sizeof num);
        return sm_buf_printf(out, "share:%s:min=%d", num, c->min_score);
    case SM_CRIT_COUNT:
        return sm_buf_printf(out, "count:%d:min=%d", c->count, c->min_score);
    case SM_CRIT_MEAN:
        format_decimal(to_micro(c->mean), num, sizeof num);
        return sm_buf_printf(out, "mean:%s", num);
    }
    return SM_EINVAL;
}

/* The number of guidelines a share of n asks for: ceil(share * n), at least 1 (judge.c
 * computes the same). n is split at a million so the product cannot overflow. */
static size_t share_threshold(int64_t share_micro, size_t n)
{
    uint64_t s = (uint64_t)share_micro;
    uint64_t t = n / MICRO * s + ((uint64_t)(n % MICRO) * s + MICRO - 1) / MICRO;
    return t < 1 ? 1 : (size_t)t;
}

static int describe_ja(const struct sm_criterion *c, size_t n, struct sm_buf *out)
{
    const char *head = "共通項の基準: ";
    char num[32];
    int64_t share = to_micro(c->share);
    switch (c->kind) {
    case SM_CRIT_SHARE: {
        char part[48];
        if (share == MICRO)
            snprintf(part, sizeof part, "すべて");
        else if (share * 2 == MICRO)
            snprintf(part, sizeof part, "半数以上");
        else {
            format_decimal(share * 100, num, sizeof num);
            snprintf(part, sizeof part, "%s%%以上", num);
        }
        if (n == 0)
            return sm_buf_printf(out, "%s分析したガイドラインの%sで得点%d以上", head, part,
                                 c->min_score);
        if (share == MICRO)
            return sm_buf_printf(out, "%s分析した%zu件のすべてで得点%d以上", head, n, c->min_score);
        return sm_buf_printf(out, "%s分析した%zu件のうち%s（%zu件以上）で得点%d以上", head, n, part,
                             share_threshold(share, n), c->min_score);
    }
    case SM_CRIT_COUNT:
        if (n == 0)
            return sm_buf_printf(out, "%s%d件以上のガイドラインで得点%d以上", head, c->count,
                                 c->min_score);
        return sm_buf_printf(out, "%s分析した%zu件のうち%d件以上で得点%d以上", head, n, c->count,
                             c->min_score);
    case SM_CRIT_MEAN:
        format_decimal(to_micro(c->mean), num, sizeof num);
        if (n == 0)
            return sm_buf_printf(out, "%s分析したガイドラインの平均得点が%s以上", head, num);
        return sm_buf_printf(out, "%s分析した%zu件の平均得点が%s以上", head, n, num);
    }
    return SM_EINVAL;
}

static int describe_en(const struct sm_criterion *c, size_t n, struct sm_buf *out)
{
    const char *head = "Common-item criterion: ";
    const char *noun = n == 1 ? "guideline" : "guidelines";
    char num[32];
    int64_t share = to_micro(c->share);
    switch (c->kind) {
    case SM_CRIT_SHARE: {
        char part[48];
        if (share == MICRO) {
            if (n == 0)
                return sm_buf_printf(out, "%sscored %d or more in every guideline analysed", head,
                                     c->min_score);
            if (n == 1)
                return sm_buf_printf(out, "%sscored %d or more in the 1 guideline analysed", head,
                                     c->min_score);
            return sm_buf_printf(out, "%sscored %d or more in all %zu guidelines analysed", head,
                                 c->min_score, n);
        }
        if (share * 2 == MICRO)
            snprintf(part, sizeof part, "at least half");
        else {
            format_decimal(share * 100, num, sizeof num);
            snprintf(part, sizeof part, "at least %s%%", num);
        }
        if (n == 0)
            return sm_buf_printf(out, "%sscored %d or more in %s of the guidelines analysed", head,
                                 c->min_score, part);
        return sm_buf_printf(out, "%sscored %d or more in %s (%zu or more) of the %zu %s analysed",
                             head, c->min_score, part, share_threshold(share, n), n, noun);
    }
    case SM_CRIT_COUNT:
        if (n == 0)
            return sm_buf_printf(out, "%sscored %d or more in %d or more guidelines", head,
                                 c->min_score, c->count);
        return sm_buf_printf(out, "%sscored %d or more in %d or more of the %zu %s analysed", head,
                             c->min_score, c->count, n, noun);
    case SM_CRIT_MEAN:
        format_decimal(to_micro(c->mean), num, sizeof num);
        if (n == 0)
            return sm_buf_printf(out, "%sa mean score of %s or more over the guidelines analysed",
                                 head, num);
        return sm_buf_printf(out, "%sa mean score of %s or more over the %zu %s analysed", head,
                             num, n, noun);
    }
    return SM_EINVAL;
}

int sm_criterion_describe(const struct sm_criterion *c, size_t n_guidelines, enum sm_lang lang,
                          struct sm_buf *out)
{
    if (!valid(c))
        return SM_EINVAL;
    switch (lang) {
    case SM_LANG_JA:
        return describe_ja(c, n_guidelines, out);
    case SM_LANG_EN:
        return describe_en(c, n_guidelines, out);
    }
    return SM_EINVAL;
}
