/*
 * Demo incident reports, so the sharing pages show something on a fresh demo database.
 *
 * Only the registry's fictitious providers (「（架空）…」) report, each through the normal
 * submission path (so the reports are checked, anonymised and tallied like real ones), with
 * reports spread over the last four half-years from a fixed pseudo-random sequence: the same
 * database gets the same reports. The notes name fictitious customers, people and
 * addresses, so the pages show what anonymisation removes. Report ids are fixed
 * ("DEMO-<n>"), so seeding again replaces rather than adds. A public snapshot is published
 * when there is none yet.
 */
#include "sharing/internal.h"

#include "smesec/date.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

#define PER_PROVIDER 70

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static const char *const notes[] = {
    "（架空）みどり商店の経理担当 佐藤様から、請求書を装ったメールの添付ファイルを開いたと連絡。"
    "EDR が実行を遮断し、リモートで端末を確認した。",
    "UTM がファイルサーバ 192.168.1.20 から外部 203.0.113.5 への不審な通信を検知。現地に駆け付け"
    "LAN ケーブルを抜いて隔離、バックアップから復旧した。",
    "株式会社（架空）さくら工業の受付 PC がランサムウェアに感染。社長の田中様 (tanaka@sakura-"
    "kogyo.example.jp, 03-1234-5678) に報告し、現地で初動対応を行った。",
    "VPN 装置の脆弱性を突いた不正アクセスを SOC が検知。ID とパスワードを変更し、ファームウェアを"
    "更新した。",
    "Web サイト www.example-shop.jp のトップページが改ざんされた。〒100-0001 東京都千代田区"
    "千代田1-1 の本社サーバを停止し、復旧した。",
    "取引先を装ったなりすましメールが従業員 10 名に届いた。利用者からの連絡で発覚し、注意喚起を"
    "行った。被害はなし。",
};

static const char *const families[] = { "LockBit", "Emotet", "Akira", "Qakbot", "" };

int sm_sharing_seed_demo(struct sm_store *store, const char *today, size_t *stored,
                         struct sm_diag *diag)
{
    char day[SM_DATE_SIZE];
    sm__sh_today(today, day);
    int32_t t0 = 0;
    sm_date_parse(day, &t0);
    struct sm_provider_list *providers = NULL;
    int rc = sm_registry_providers(store, 0, &providers, diag);
    if (rc == SM_ENOTFOUND)
        return SM_OK;
    if (rc)
        return rc;
    size_t total = 0;
    struct sm_incident items[PER_PROVIDER];
    bool bad[PER_PROVIDER];
    long rows[PER_PROVIDER];
    char ids[PER_PROVIDER][24], dates[PER_PROVIDER][SM_DATE_SIZE], prefs[PER_PROVIDER][3];
    for (size_t p = 0; !rc && p < providers->n; p++) {
        const struct sm_provider *pv = &providers->items[p];
        if (!pv->fictitious)
            continue;
        int64_t *svc = NULL;
        size_t n_svc = 0;
        rc = sm__sh_listed_services(store, pv->id, day, &svc, &n_svc, diag);
        if (rc || n_svc == 0) {
            sm_free(svc);
            continue;
        }
        uint32_t s = (uint32_t)(2654435761u * (uint32_t)pv->id) | 1u;
        int home = pv->head_office_pref
                       ? (pv->head_office_pref[0] - '0') * 10 + (pv->head_office_pref[1] - '0')
                       : 13;
        for (size_t i = 0; i < PER_PROVIDER; i++) {
            struct sm_incident *in = &items[i];
            sm_incident_init(in);
            snprintf(ids[i], sizeof ids[i], "DEMO-%lld-%zu", (long long)pv->id, i);
            sm_date_format(t0 - 1 - (int32_t)(next(&s) % 700), dates[i]);
            /* Mostly the home prefecture and its neighbours' codes. */
            int pref = next(&s) % 3 ? home + (int)(next(&s) % 5) - 2 : 1 + (int)(next(&s) % 47);
            if (pref < 1)
                pref = 1;
            if (pref > 47)
                pref = 47;
            snprintf(prefs[i], sizeof prefs[i], "%02d", pref);
            in->ext_id = ids[i];
            in->detected_on = dates[i];
            in->service_id = svc[next(&s) % n_svc];
            in->prefecture = prefs[i];
            in->industry =
                sm__industries[(const int[]){ 4, 4, 4, 8, 8, 3, 15, 6, 12, 10 }[next(&s) % 10]];
            in->size = (enum sm_size_band)(next(&s) % 4);
            uint32_t t = next(&s) % 20;
            in->threat = t < 6    ? SM_THREAT_PHISHING
                         : t < 10 ? SM_THREAT_MALWARE
                         : t < 13 ? SM_THREAT_RANSOMWARE
                         : t < 16 ? SM_THREAT_UNAUTHORIZED_ACCESS
                         : t < 18 ? SM_THREAT_C2
                         : t < 19 ? SM_THREAT_DEFACEMENT
                                  : SM_THREAT_OTHER;
            if (in->threat == SM_THREAT_RANSOMWARE || in->threat == SM_THREAT_MALWARE)
                in->malware_family = families[next(&s) % 5];
            in->detection = (enum sm_detection)(next(&s) % 4);
            in->response = (enum sm_response)(next(&s) % 5 < 2 ? SM_RESPONSE_ONSITE
                                              : next(&s) % 2   ? SM_RESPONSE_REMOTE
                                                               : SM_RESPONSE_NONE);
            in->outcome = (enum sm_outcome)(next(&s) % 4);
            in->recovery_days = next(&s) % 4 == 0 ? -1 : (int64_t)(next(&s) % 20);
            in->cost = (enum sm_cost_band)(next(&s) % SM_COST_COUNT);
            in->notes = notes[next(&s) % (sizeof notes / sizeof notes[0])];
            in->customer_name = "（架空）デモ顧客株式会社";
            uint32_t tl = next(&s) % 20;
            in->tlp = tl < 11   ? SM_TLP_AMBER
                      : tl < 16 ? SM_TLP_CLEAR
                      : tl < 18 ? SM_TLP_GREEN
                      : tl < 19 ? SM_TLP_AMBER_STRICT
                                : SM_TLP_RED;
            bad[i] = false;
            rows[i] = -1;
        }
        sm_free(svc);
        struct sm_incident_batch b = {
            .n = PER_PROVIDER, .items = items, .bad = bad, .rows = rows
        };
        struct sm_registry_who who = {
            .user_id = 0, .name = "demo-seed", .role = SM_ROLE_PROVIDER, .provider_id = pv->id
        };
        struct sm_submit_result *res = NULL;
        rc = sm_sharing_submit(store, &who, &b, false, day, &res, diag);
        if (!rc)
            total += res->created + res->updated;
        sm_submit_result_free(res);
    }
    sm_provider_list_free(providers);
    if (rc)
        return rc;
    int64_t published = 0;
    rc = sm_sql_scalar_int64(store, "SELECT COUNT(*) FROM stats_snapshots", &published, diag);
    if (!rc && published == 0 && total > 0) {
        struct sm_registry_who op = sm_registry_who_system("demo-seed");
        struct sm_stats_options o;
        sm_stats_options_init(&o, SM_AUDIENCE_PUBLIC);
        snprintf(o.today, sizeof o.today, "%s", day);
        rc = sm_sharing_publish(store, &op, &o, NULL, diag);
    }
    if (!rc && stored)
        *stored = total;
    return rc;
}
