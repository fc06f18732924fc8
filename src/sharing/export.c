/*
 * Exports of a statistics release: CSV (one row per count) and a STIX 2.1 bundle.
 *
 * Both are written from the release document alone, so they carry exactly what the release
 * shows: suppressed counts stay empty in the CSV and have no sighting in STIX, and nothing
 * a release leaves out can appear here. The exports are aggregate on purpose: handing out
 * the anonymised reports one by one would let anyone count the cells the release
 * suppresses (docs/sharing.md).
 *
 * STIX ids are name-based (a hash of what the object stands for and, for the objects of one
 * export, the export's time), so the same release exported at the same time gives the same
 * bundle, and a family's malware object keeps its id from one export to the next.
 */
#include "sharing/internal.h"

#include "smesec/csv.h"
#include "smesec/date.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* --- CSV ------------------------------------------------------------------------------------ */

static int put_row(struct sm_buf *b, const char *table, const char *row, const char *name,
                   const char *column, const json_t *count)
{
    char num[32] = "";
    if (json_is_integer(count))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(count));
    const char *f[] = { table, row, name, column, num, json_is_integer(count) ? "0" : "1" };
    return sm_csv_put_record(b, f, 6, SM_CSV_NEUTRALISE);
}

static const char *key_of(const json_t *arr, size_t i)
{
    const char *k = json_string_value(json_object_get(json_array_get(arr, i), "key"));
    return k ? k : "";
}

static const char *name_of(const json_t *obj)
{
    const char *n = json_string_value(json_object_get(obj, "name_ja"));
    return n ? n : "";
}

int sm_sharing_stats_csv(const json_t *stats, struct sm_buf *out)
{
    static const char *const header[] = { "table",  "row",   "row_name",
                                          "column", "count", "suppressed" };
    int rc = sm_buf_puts(out, SM_CSV_BOM);
    if (!rc)
        rc = sm_csv_put_record(out, header, 6, SM_CSV_NEUTRALISE);
    json_t *k = json_integer(json_integer_value(json_object_get(stats, "k")));
    if (!rc)
        rc = put_row(out, "_release", "k", "", "", k);
    json_decref(k);
    if (!rc)
        rc = put_row(out, "_release", "total", "", "", json_object_get(stats, "total"));
    const json_t *tables = json_object_get(stats, "tables");
    const char *id;
    json_t *t;
    json_object_foreach((json_t *)(uintptr_t)tables, id, t)
    {
        if (rc)
            break;
        const char *kind = json_string_value(json_object_get(t, "kind"));
        if (!kind || json_is_true(json_object_get(t, "unavailable")))
            continue;
        if (strcmp(kind, "list") == 0) {
            const json_t *rows = json_object_get(t, "rows"), *counts = json_object_get(t, "counts");
            for (size_t i = 0; !rc && i < json_array_size(rows); i++)
                rc = put_row(out, id, key_of(rows, i), name_of(json_array_get(rows, i)), "",
                             json_array_get(counts, i));
        } else if (strcmp(kind, "cross") == 0) {
            const json_t *rows = json_object_get(t, "rows"), *cols = json_object_get(t, "cols");
            const json_t *cells = json_object_get(t, "cells");
            for (size_t i = 0; !rc && i < json_array_size(rows); i++) {
                for (size_t j = 0; !rc && j < json_array_size(cols); j++)
                    rc = put_row(out, id, key_of(rows, i), "", key_of(cols, j),
                                 json_array_get(json_array_get(cells, i), j));
                if (!rc)
                    rc = put_row(out, id, key_of(rows, i), "", "_total",
                                 json_array_get(json_object_get(t, "row_totals"), i));
            }
            for (size_t j = 0; !rc && j < json_array_size(cols); j++)
                rc = put_row(out, id, "_total", "", key_of(cols, j),
                             json_array_get(json_object_get(t, "col_totals"), j));
        } else if (strcmp(kind, "grouped") == 0) {
            const json_t *groups = json_object_get(t, "groups");
            for (size_t g = 0; !rc && g < json_array_size(groups); g++) {
                const json_t *grp = json_array_get(groups, g);
                char row[32];
                snprintf(row, sizeof row, "region-%s",
                         json_string_value(json_object_get(grp, "key"))
                             ? json_string_value(json_object_get(grp, "key"))
                             : "");
                rc = put_row(out, id, row, name_of(grp), "", json_object_get(grp, "count"));
                const json_t *items = json_object_get(grp, "items");
                for (size_t i = 0; !rc && i < json_array_size(items); i++)
                    rc = put_row(out, id, key_of(items, i), name_of(json_array_get(items, i)), "",
                                 json_object_get(json_array_get(items, i), "count"));
            }
        }
        if (!rc)
            rc = put_row(out, id, "_total", "", "_total", json_object_get(t, "total"));
    }
    return rc;
}

/* --- STIX ------------------------------------------------------------------------------------ */

/* A name-based id: type--UUID with version 5 and the RFC 4122 variant, from a 128-bit hash of
 * the parts (two FNV-1a streams with a final mix; not for security, only for stable ids). */
static void stix_id(char *out, size_t size, const char *type, const char *a, const char *b)
{
    uint64_t h1 = 14695981039346656037u, h2 = 0x9e3779b97f4a7c15u;
    const char *parts[3] = { type, a ? a : "", b ? b : "" };
    for (int p = 0; p < 3; p++) {
        for (const unsigned char *c = (const unsigned char *)parts[p]; *c; c++) {
            h1 = (h1 ^ *c) * 1099511628211u;
            h2 = (h2 ^ *c) * 0x100000001b3u + 0x632be59bd9b4e019u;
        }
        h1 = (h1 ^ 0xff) * 1099511628211u;
        h2 = (h2 ^ 0xfe) * 0x100000001b3u;
    }
    uint64_t z[2] = { h1, h2 };
    unsigned char u[16];
    for (int k = 0; k < 2; k++) {
        uint64_t x = z[k] + 0x9e3779b97f4a7c15u;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
        x ^= x >> 31;
        for (int i = 0; i < 8; i++)
            u[k * 8 + i] = (unsigned char)(x >> (8 * i));
    }
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x50);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    snprintf(out, size, "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             type, u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
             u[13], u[14], u[15]);
}

/* t as a STIX timestamp (UTC). */
static void stix_time(int64_t t, char out[32])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    char date[SM_DATE_SIZE];
    sm_date_format((int32_t)days, date);
    snprintf(out, 32, "%sT%02d:%02d:%02d.000Z", date, (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60));
}

/* The start of half-year h in Japan time, as Unix seconds. */
static int64_t half_start(const char *h)
{
    char date[SM_DATE_SIZE];
    snprintf(date, sizeof date, "%.4s-%s-01", h, h[5] == '1' ? "01" : "07");
    int32_t days = 0;
    sm_date_parse(date, &days);
    return (int64_t)days * 86400 - 9 * 3600;
}

static int64_t half_end(const char *h)
{
    char date[24];
    int y = (h[0] - '0') * 1000 + (h[1] - '0') * 100 + (h[2] - '0') * 10 + (h[3] - '0');
    if (h[5] == '1')
        snprintf(date, sizeof date, "%04d-07-01", y % 10000);
    else
        snprintf(date, sizeof date, "%04d-01-01", (y + 1) % 10000);
    int32_t days = 0;
    sm_date_parse(date, &days);
    return (int64_t)days * 86400 - 9 * 3600 - 1;
}

static const struct {
    const char *type;
    const char *name;
    const char *malware_type; /* for malware objects */
} threat_objects[SM_THREAT_COUNT] = {
    { "malware", "Ransomware (family not stated)", "ransomware" },
    { "malware", "Malware (family not stated)", "unknown" },
    { "attack-pattern", "Phishing and spoofed e-mail", NULL },
    { "attack-pattern", "Unauthorised access", NULL },
    { "attack-pattern", "Command-and-control traffic", NULL },
    { "attack-pattern", "Web site defacement", NULL },
    { "attack-pattern", "Other incident", NULL },
};

struct stix_ctx {
    json_t *objects;
    char created[32];
    char identity[80];
    char sector[80];
    const char *marking; /* NULL when nothing is counted */
    char stamp[32];      /* the export's time as text, for the ids of its sightings */
};

static int add_obj(struct stix_ctx *x, json_t *o)
{
    if (!o)
        return SM_ENOMEM;
    if (x->marking && json_object_set_new(o, "object_marking_refs", json_pack("[s]", x->marking)))
        return SM_ENOMEM;
    return json_array_append_new(x->objects, o) ? SM_ENOMEM : SM_OK;
}

static int sighting(struct stix_ctx *x, const char *of, const char *first, const char *last,
                    json_int_t count, const char *seed, const char *description)
{
    char id[80];
    stix_id(id, sizeof id, "sighting", x->stamp, seed);
    return add_obj(x, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:s,s:[s]}", "type",
                                "sighting", "spec_version", "2.1", "id", id, "created", x->created,
                                "modified", x->created, "created_by_ref", x->identity,
                                "sighting_of_ref", of, "first_seen", first, "last_seen", last,
                                "count", count, "summary", 1, "description", description,
                                "where_sighted_refs", x->sector));
}

int sm_sharing_stix(const json_t *stats, int64_t now, json_t **out, struct sm_diag *diag)
{
    (void)diag;
    struct stix_ctx x;
    memset(&x, 0, sizeof x);
    x.objects = json_array();
    if (!x.objects)
        return SM_ENOMEM;
    stix_time(now, x.created);
    snprintf(x.stamp, sizeof x.stamp, "%lld/%s", (long long)now,
             json_string_value(json_object_get(stats, "audience"))
                 ? json_string_value(json_object_get(stats, "audience"))
                 : "");
    enum sm_tlp tlp;
    const char *max_tlp = json_string_value(json_object_get(stats, "max_tlp"));
    x.marking = max_tlp && sm_tlp_parse(max_tlp, &tlp) == SM_OK ? sm_tlp_stix_id(tlp) : NULL;
    stix_id(x.identity, sizeof x.identity, "identity", "smesec-sharing-platform", NULL);
    stix_id(x.sector, sizeof x.sector, "identity", "otasuketai-providers", NULL);

    int rc = SM_OK;
    if (x.marking)
        rc = json_array_append_new(
                 x.objects,
                 json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:{s:s,s:s}}}", "type", "marking-definition",
                           "spec_version", "2.1", "id", x.marking, "created",
                           "2022-10-01T00:00:00.000Z", "name", sm_tlp_label(tlp), "extensions",
                           "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d",
                           "extension_type", "property-extension", "tlp_2_0", sm_tlp_name(tlp)))
                 ? SM_ENOMEM
                 : SM_OK;
    /* The platform's identity carries no marking: it is public. */
    if (!rc)
        rc = json_array_append_new(
                 x.objects,
                 json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "identity", "spec_version",
                           "2.1", "id", x.identity, "created", x.created, "modified", x.created,
                           "name", "smesec incident sharing (SC3 Otasuketai scheme)",
                           "identity_class", "system", "description",
                           "Anonymised, aggregated incident statistics shared among the "
                           "registered providers of the Cybersecurity Otasuketai services."))
                 ? SM_ENOMEM
                 : SM_OK;
    if (!rc)
        rc = add_obj(&x, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "identity",
                                   "spec_version", "2.1", "id", x.sector, "created", x.created,
                                   "modified", x.created, "created_by_ref", x.identity, "name",
                                   "Otasuketai service providers in Japan (anonymised)",
                                   "identity_class", "class", "description",
                                   "The providers registered in Japan's Cybersecurity Otasuketai "
                                   "scheme, whose customers' incidents are counted; no single "
                                   "provider or customer is named."));
    /* One object per threat kind. */
    char threat_ids[SM_THREAT_COUNT][80];
    for (int t = 0; !rc && t < SM_THREAT_COUNT; t++) {
        stix_id(threat_ids[t], sizeof threat_ids[t], threat_objects[t].type,
                sm_threat_name((enum sm_threat)t), NULL);
        json_t *o =
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", threat_objects[t].type,
                      "spec_version", "2.1", "id", threat_ids[t], "created", x.created, "modified",
                      x.created, "created_by_ref", x.identity, "name", threat_objects[t].name);
        if (o && threat_objects[t].malware_type &&
            (json_object_set_new(o, "is_family", json_true()) ||
             json_object_set_new(o, "malware_types",
                                 json_pack("[s]", threat_objects[t].malware_type)))) {
            json_decref(o);
            o = NULL;
        }
        rc = add_obj(&x, o);
    }

    /* Sightings: every shown count of the threat-by-half-year table... */
    const json_t *tables = json_object_get(stats, "tables");
    const json_t *th = json_object_get(tables, "threat_by_half");
    const json_t *rows = json_object_get(th, "rows"), *cols = json_object_get(th, "cols");
    const json_t *cells = json_object_get(th, "cells");
    for (size_t i = 0; !rc && i < json_array_size(rows); i++) {
        enum sm_threat t;
        if (sm_threat_parse(key_of(rows, i), &t))
            continue;
        for (size_t j = 0; !rc && j < json_array_size(cols); j++) {
            const json_t *c = json_array_get(json_array_get(cells, i), j);
            const char *h = key_of(cols, j);
            if (!json_is_integer(c) || json_integer_value(c) <= 0 || !sm_half_valid(h))
                continue;
            char first[32], last[32], seed[64], desc[200];
            stix_time(half_start(h), first);
            stix_time(half_end(h), last);
            snprintf(seed, sizeof seed, "threat/%s/%s", sm_threat_name(t), h);
            snprintf(desc, sizeof desc,
                     "%lld reports of %s in %s across Japan (anonymised; counts under %lld "
                     "are withheld)",
                     (long long)json_integer_value(c), sm_threat_name(t), h,
                     (long long)json_integer_value(json_object_get(stats, "k")));
            rc = sighting(&x, threat_ids[t], first, last, json_integer_value(c), seed, desc);
        }
    }
    /* ... and of the malware families, over the release's period. */
    const json_t *halves = json_object_get(stats, "halves");
    const char *h0 = json_string_value(json_array_get(halves, 0));
    const char *h1 = json_string_value(json_array_get(halves, json_array_size(halves) - 1));
    const json_t *fam = json_object_get(tables, "malware_families");
    const json_t *frows = json_object_get(fam, "rows"), *fcounts = json_object_get(fam, "counts");
    for (size_t i = 0; !rc && h0 && h1 && i < json_array_size(frows); i++) {
        const char *name = key_of(frows, i);
        const json_t *c = json_array_get(fcounts, i);
        if (!name[0] || name[0] == '_' || !json_is_integer(c) || json_integer_value(c) <= 0)
            continue;
        char mid[80];
        stix_id(mid, sizeof mid, "malware", "family", name);
        rc = add_obj(&x, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:[s]}", "type", "malware",
                                   "spec_version", "2.1", "id", mid, "created", x.created,
                                   "modified", x.created, "created_by_ref", x.identity, "name",
                                   name, "is_family", 1, "malware_types", "unknown"));
        char first[32], last[32], seed[96], desc[200];
        stix_time(half_start(h0), first);
        stix_time(half_end(h1), last);
        snprintf(seed, sizeof seed, "family/%s", name);
        snprintf(desc, sizeof desc, "%lld reports naming the family %.60s, %s to %s, Japan",
                 (long long)json_integer_value(c), name, h0, h1);
        if (!rc)
            rc = sighting(&x, mid, first, last, json_integer_value(c), seed, desc);
    }
    if (rc) {
        json_decref(x.objects);
        return rc;
    }
    char bundle[80];
    stix_id(bundle, sizeof bundle, "bundle", x.stamp, "bundle");
    json_t *b = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", bundle, "objects", x.objects);
    if (!b)
        return SM_ENOMEM;
    *out = b;
    return SM_OK;
}
