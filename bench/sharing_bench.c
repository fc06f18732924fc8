/*
 * Incident sharing at scale: ingest of a large CSV of incident reports and the statistics
 * over them, through the library calls the server uses (no HTTP).
 *
 *   sharing_bench DB_URL [RECORDS] [CSV_PATH]
 *
 * DB_URL must name an empty database (a new SQLite file, or a fresh PostgreSQL database). It
 * is migrated and given 20 providers, each with a registered service. The other 19 first
 * send 5,000 reports each (so the statistics count several providers, as the suppression
 * rules expect); then the CSV of RECORDS reports (default 1,000,000) for the first provider
 * is written to CSV_PATH (default a temporary file, removed at the end) and imported with
 * sm_sharing_import_csv, timed: one transaction, row by row, statements prepared once. Half
 * the reports carry notes with names, addresses and numbers, so anonymisation does real work.
 *
 * Then it times the statistics release for providers (every table, with complementary
 * suppression and the narratives) five times, and its STIX and CSV exports, and, for
 * comparison, the regional counts computed straight from the reports with GROUP BY.
 *
 * Prints key=value lines: records, seconds and records per second of the ingest, peak
 * resident memory and the CSV's size (the file is mapped, so its pages count in the resident
 * figure; the heap stays bounded), and milliseconds for each statistics figure (best and
 * median of five). It checks what it measures (every row stored, the release not empty), so
 * a broken build cannot look fast.
 */
#include "smesec/sharing.h"
#include "smesec/smesec.h"
#include "store/sql.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

#define PROVIDERS 20
#define OTHERS    5000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds used so far (user and system): on a shared machine the steadier figure. */
static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void die(const char *what, const struct sm_diag *d)
{
    fprintf(stderr, "sharing_bench: %s: %s\n", what, d && d->msg[0] ? d->msg : "failed");
    exit(1);
}

/* A provider with one registered service; returns the service's id. */
static int64_t provider(struct sm_store *st, int i, const char *today, int64_t *provider_id)
{
    struct sm_registry_who op = sm_registry_who_system("bench");
    struct sm_diag d;
    char name[64];
    snprintf(name, sizeof name, "（架空）ベンチ事業者%02d株式会社", i);
    struct sm_provider p = { .name = name, .head_office_pref = "13" };
    if (sm_registry_provider_add(st, &op, &p, provider_id, &d))
        die("provider", &d);
    struct sm_service_content c;
    sm_service_content_init(&c);
    char svc[64];
    snprintf(svc, sizeof svc, "ベンチ見守りサービス%02d", i);
    c.name = svc;
    c.service_class = 1;
    c.monitoring = SM_MON_NETWORK;
    c.nationwide = true;
    c.monthly_yen = 9000;
    c.helpdesk = SM_TRI_YES;
    c.helpdesk_channels = SM_CHANNEL_PHONE;
    c.monitoring_24h = SM_TRI_YES;
    c.onsite = SM_TRI_YES;
    c.insurance = SM_TRI_YES;
    c.insurance_initial_response = SM_TRI_YES;
    struct sm_registry_who staff = { .name = "bench",
                                     .role = SM_ROLE_PROVIDER,
                                     .provider_id = *provider_id };
    int64_t app = 0, service = 0;
    if (sm_registry_apply(st, &staff, SM_APP_NEW, *provider_id, &c, today, &app, &service, &d))
        die("apply", &d);
    struct sm_registry_application *a = NULL;
    if (sm_registry_application_get(st, &op, app, &a, &d))
        die("application", &d);
    for (size_t k = 0; k < a->n_checks; k++)
        if (a->checks[k].verdict == SM_VERDICT_JUDGEMENT &&
            sm_registry_judge(st, &op, app, a->checks[k].requirement_id, SM_VERDICT_PASS, "bench",
                              &d))
            die("judge", &d);
    sm_registry_application_free(a);
    if (sm_registry_decide(st, &op, app, SM_DECIDE_APPROVE, NULL, today, &d))
        die("approve", &d);
    return service;
}

static const char *const notes[] = {
    "経理担当の佐藤様から、請求書を装ったメールの添付ファイルを開いたと連絡。EDR が実行を遮断した。",
    "UTM がファイルサーバ 192.168.1.20 から外部への不審な通信を検知。現地で隔離し復旧した。",
    "株式会社ベンチ顧客の受付 PC が感染。社長の田中様 (tanaka@bench.example.jp, 03-1234-5678) に報告した。",
    "VPN 装置の脆弱性を突いた不正アクセスを SOC が検知。パスワードを変更した。",
    "Web サイトが改ざんされた。〒100-0001 東京都千代田区千代田1-1 のサーバを停止した。",
    "なりすましメールが従業員に届いた。注意喚起を行い、被害はなかった。",
};

static const char *const threats[] = { "ransomware",          "malware", "phishing",   "phishing",
                                       "unauthorized_access", "c2",      "defacement", "other" };
static const char *const families[] = { "LockBit", "Emotet", "Akira", "Qakbot", "" };
static const char *const detections[] = { "utm", "edr", "soc", "user" };
static const char *const responses[] = { "remote", "onsite", "none" };
static const char *const outcomes[] = { "blocked", "contained", "damage", "leak" };
static const char *const sizes[] = { "1-5", "6-20", "21-50", "51-100", "101-300", "301+" };
static const char *const costs[] = {
    "none", "lt_100k", "100k_1m", "1m_10m", "10m_plus", "unknown"
};

/* Appends one report row for service. */
static void row(FILE *f, uint32_t *s, const char *prefix, long i, int64_t service,
                int32_t today_days)
{
    char date[SM_DATE_SIZE];
    sm_date_format(today_days - 1 - (int32_t)(next(s) % 720), date);
    const char *threat = threats[next(s) % 8];
    bool fam = strcmp(threat, "ransomware") == 0 || strcmp(threat, "malware") == 0;
    char recovery[16] = "";
    if (next(s) % 4)
        snprintf(recovery, sizeof recovery, "%u", next(s) % 40);
    bool with_notes = next(s) % 2 == 0;
    fprintf(f, "%s-%ld,%s,%lld,%02u,%c,%s,%s,%s,%s,%s,%s,%s,%s,%s%s%s,%s,%s\r\n", prefix, i, date,
            (long long)service, 1 + next(s) % 47, 'A' + (int)(next(s) % 20), sizes[next(s) % 6],
            threat, fam ? families[next(s) % 5] : "", detections[next(s) % 4],
            responses[next(s) % 3], outcomes[next(s) % 4], recovery, costs[next(s) % 6],
            with_notes ? "\"" : "", with_notes ? notes[next(s) % 6] : "", with_notes ? "\"" : "",
            next(s) % 2 ? "株式会社ベンチ顧客" : "", next(s) % 10 < 7 ? "amber" : "clear");
}

static void header(FILE *f)
{
    for (size_t k = 0; k < sm_incident_n_fields; k++)
        fprintf(f, "%s%s", k ? "," : "", sm_incident_fields[k]);
    fputs("\r\n", f);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs fn five times; prints the best and the median in milliseconds. */
#define TIME5(label, body)                                                    \
 do {                                                                         \
  double t_[5];                                                               \
  for (int r_ = 0; r_ < 5; r_++) {                                            \
   double t0_ = now();                                                        \
   body;                                                                      \
   t_[r_] = (now() - t0_) * 1000.0;                                           \
  }                                                                           \
  qsort(t_, 5, sizeof t_[0], cmp_double);                                     \
  printf("%s_ms_best=%.1f\n%s_ms_median=%.1f\n", label, t_[0], label, t_[2]); \
 } while (0)

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sharing_bench DB_URL [RECORDS] [CSV_PATH]\n");
        return 2;
    }
    long records = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;
    if (records < 1 || records > 50000000) {
        fprintf(stderr, "sharing_bench: RECORDS must be 1 to 50000000\n");
        return 2;
    }
    char tmp[] = "/tmp/smesec-sharing-bench-XXXXXX";
    const char *csv_path = argc > 3 ? argv[3] : NULL;
    if (!csv_path) {
        int fd = mkstemp(tmp);
        if (fd < 0) {
            perror("mkstemp");
            return 1;
        }
        close(fd);
        csv_path = tmp;
    }
    if (sm_init() != SM_OK)
        return 1;
    struct sm_store *st = NULL;
    struct sm_diag d;
    if (sm_store_open(argv[1], &st, &d) || sm_store_migrate(st, NULL, &d))
        die("open", &d);
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    int32_t days = 0;
    sm_date_parse(today, &days);
    int64_t services[PROVIDERS], providers[PROVIDERS];
    for (int i = 0; i < PROVIDERS; i++)
        services[i] = provider(st, i, today, &providers[i]);

    /* The other providers' reports, so the statistics count many providers. */
    uint32_t seed = 20260301;
    double t_others = now();
    for (int p = 1; p < PROVIDERS; p++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        header(mem);
        for (long i = 0; i < OTHERS; i++)
            row(mem, &seed, "O", i, services[p], days);
        fclose(mem);
        struct sm_registry_who who = { .name = "bench",
                                       .role = SM_ROLE_PROVIDER,
                                       .provider_id = providers[p] };
        struct sm_submit_result *res = NULL;
        if (sm_sharing_import_csv(st, &who, buf, len, NULL, today, &res, &d))
            die("import of the other providers", &d);
        sm_submit_result_free(res);
        free(buf);
    }
    t_others = now() - t_others;

    /* The big file. */
    FILE *f = fopen(csv_path, "w");
    if (!f) {
        perror(csv_path);
        return 1;
    }
    header(f);
    for (long i = 0; i < records; i++)
        row(f, &seed, "R", i, services[0], days);
    if (fclose(f)) {
        perror(csv_path);
        return 1;
    }
    int fd = open(csv_path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb)) {
        perror(csv_path);
        return 1;
    }
    void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    posix_madvise(map, (size_t)sb.st_size, POSIX_MADV_SEQUENTIAL);
    struct sm_registry_who who = { .name = "bench",
                                   .role = SM_ROLE_PROVIDER,
                                   .provider_id = providers[0] };
    struct sm_incident_limits lim = { .max_bytes = (size_t)sb.st_size + 1,
                                      .max_records = (size_t)records + 1 };
    struct sm_submit_result *res = NULL;
    double t0 = now(), c0 = cpu();
    if (sm_sharing_import_csv(st, &who, map, (size_t)sb.st_size, &lim, today, &res, &d))
        die("import", &d);
    double t_ingest = now() - t0, c_ingest = cpu() - c0;
    if ((long)(res->created + res->updated) != records) {
        fprintf(stderr, "sharing_bench: stored %zu of %ld\n", res->created + res->updated, records);
        return 1;
    }
    sm_submit_result_free(res);
    munmap(map, (size_t)sb.st_size);
    close(fd);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("backend=%s\n", sm_store_kind_name(st));
    printf("records=%ld\ningest_seconds=%.2f\ningest_records_per_second=%.0f\n", records, t_ingest,
           (double)records / t_ingest);
    printf("ingest_cpu_seconds=%.2f\ningest_records_per_cpu_second=%.0f\n", c_ingest,
           (double)records / c_ingest);
    printf("csv_mb=%.1f\npeak_rss_mb=%.1f\n", (double)sb.st_size / 1048576.0,
           (double)ru.ru_maxrss / 1024.0);
    printf("other_providers_reports=%d\nother_providers_seconds=%.2f\n", OTHERS * (PROVIDERS - 1),
           t_others);

    /* Statistics. */
    struct sm_registry_who viewer = { .name = "bench",
                                      .role = SM_ROLE_PROVIDER,
                                      .provider_id = providers[1] };
    struct sm_stats_options o;
    sm_stats_options_init(&o, SM_AUDIENCE_PROVIDERS);
    o.narratives = true;
    json_t *doc = NULL;
    TIME5("stats_full_release", {
        json_decref(doc);
        doc = NULL;
        if (sm_sharing_stats(st, &viewer, &o, &doc, &d))
            die("stats", &d);
    });
    if (!json_is_integer(json_object_get(doc, "total")) ||
        json_integer_value(json_object_get(doc, "total")) < records / 2) {
        fprintf(stderr, "sharing_bench: the release counts too little\n");
        return 1;
    }
    struct sm_stats_options pub;
    sm_stats_options_init(&pub, SM_AUDIENCE_PUBLIC);
    TIME5("stats_public_release", {
        json_t *p = NULL;
        if (sm_sharing_stats(st, &viewer, &pub, &p, &d))
            die("public stats", &d);
        json_decref(p);
    });
    TIME5("stix_export", {
        json_t *b = NULL;
        if (sm_sharing_stix(doc, 0, &b, &d))
            die("stix", &d);
        json_decref(b);
    });
    TIME5("csv_export", {
        struct sm_buf b;
        sm_buf_init(&b, 64u << 20);
        if (sm_sharing_stats_csv(doc, &b))
            die("csv", NULL);
        sm_buf_release(&b);
    });
    /* For comparison: the regional counts straight from the reports. */
    TIME5("regional_group_by_on_reports", {
        struct sm_sql *q = NULL;
        if (sm_sql_prepare(st,
                           "SELECT p.region_id, i.prefecture, COUNT(*) FROM incidents i"
                           " JOIN prefectures p ON p.code = i.prefecture"
                           " WHERE i.tlp IN ('clear', 'green', 'amber')"
                           " GROUP BY p.region_id, i.prefecture",
                           &q, &d))
            die("group by", &d);
        while (sm_sql_step(q, &d) == SM_SQL_ROW)
            ;
        sm_sql_free(q);
    });
    json_decref(doc);
    sm_store_free(st);
    if (argc <= 3)
        unlink(tmp);
    return 0;
}
