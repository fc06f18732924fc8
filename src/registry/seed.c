/*
 * The registry's demo data (see sm_registry_seed_demo in smesec/registry.h).
 *
 * Three kinds of rows, kept apart on purpose:
 *   - facts: the SC3 SME working group's table of monitoring devices with their
 *     ransomware ratings (2023-02-20), entered as the table has them, and the one real
 *     service known from public sources (the Osaka Chamber of Commerce and Industry), with
 *     only what those sources state: everything else about it is left unknown;
 *   - fictitious providers and services, every name starting with 「（架空）」 and the
 *     provider's fictitious flag set, made up so that the public site has something in
 *     every prefecture: nationwide services, and for each region services of every type,
 *     some class 2, a few lapsed, due, suspended or waiting for review;
 *   - fictitious case studies and inquiries for those services.
 * Dates are relative to the day the seed runs, so a fresh demo always has services due and
 * lapsed. Every row has a key (ref, seed_key or its name) and is skipped when it exists.
 */
#include "registry/internal.h"

#include "smesec/alloc.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static const char wg_source[] =
    "SC3中小企業対策強化WG（2023-02-20）資料「お助け隊サービスベンダーが提供している"
    "監視装置・サービスの仕様」";

/* The working group's table, row by row. NULL where the table has no entry. */
static const struct {
    const char *maker;
    enum sm_device_kind kind;
    const char *product;
    const char *functions;
    enum sm_effect effect;
    const char *reason;
} wg_devices[] = {
    { "NEC", SM_DEV_UTM, NULL, "マルウェア対策、Webレピュテーション、不正侵入制御（IPS）",
      SM_EFFECT_EFFECTIVE, NULL },
    { "富士ソフト", SM_DEV_SOC, NULL,
      "AIによる分析と専門技術者分析を実施して分析結果を定期的にインシデント通報としてお知らせ"
      "（目的の実行、C&C、デリバリー、エクスプロイト、偵察）",
      SM_EFFECT_PARTIAL, "マルウェア配布サイトへの接続防止" },
    { "宝情報", SM_DEV_UTM, "Check Point",
      "ファイアウォール、IPS、アンチウイルス、アンチスパム、URLフィルターリング、"
      "アプリケーション制御、アンチボット、リモートVPN",
      SM_EFFECT_EFFECTIVE, NULL },
    { "トレンドマイクロ", SM_DEV_UTM, "Cloud Edge",
      "ウイルス対策、スパイウェア対策、ファイアウォール、URLフィルタリング、USB禁止設定",
      SM_EFFECT_EFFECTIVE, NULL },
    { "サクサ", SM_DEV_UTM, "HOME-UNIT／SS6000",
      "ファイアウォール、アンチウイルス、アンチスパム、Webフィルターリング、不正侵入検知／防御、"
      "リモートアクセスサービスを提供。",
      SM_EFFECT_EFFECTIVE, NULL },
    { "SOPHOS", SM_DEV_UTM, "XG86W",
      "ネットワークに潜むリスクを可視化、未知の脅威をブロック、インシデントに自動対処",
      SM_EFFECT_EFFECTIVE, NULL },
    { "SOPHOS", SM_DEV_EDR, "Intercept X Advanced with XDR",
      "ウイルス対策、マルウェア対策、ランサムウェア対策", SM_EFFECT_EFFECTIVE, NULL },
    { "チェック・ポイント・ソフトウェア", SM_DEV_UTM, "Quantum Spark1530",
      "UTMがC&C宛の通信を検知・ブロック・UTMから送信されるセキュリティログをチェックし、"
      "Anti Bot 検知を認識、メールで発報・ボット感染を検知し、遮断・インターネットの接続障害を"
      "リアルタイム通知",
      SM_EFFECT_UNKNOWN, "C&Cのみ" },
    { "キヤノンマーケティングジャパン", SM_DEV_UTM, "HOME-UNIT4L",
      "キヤノンからの月１回のレポート（どんな攻撃があったか等）を提供・悪意ある C＆C サーバー"
      "からの攻撃があった際には、キヤノンより直接電話にて連絡",
      SM_EFFECT_UNKNOWN, "C&Cのみ" },
    { "S&J", SM_DEV_EDR, "KeepEye",
      "端末上の振る舞いからマルウェアを検知する機能、端末上の振る舞いからマルウェアを防御・"
      "隔離する機能※オプション、AIを用いてマルウェアを検知する機能、AIを用いてマルウェアを"
      "防御・隔離する機能※オプション",
      SM_EFFECT_PARTIAL, "検知のみ" },
    { "ウェブルート", SM_DEV_EDR, "Edge Xperience セキュリティ対策パック",
      "マルウェア対策、Web脅威対策、ファイアウォール、個人情報保護", SM_EFFECT_EFFECTIVE, NULL },
    { "セキュアイノベーション", SM_DEV_SIMPLE_EDR, "EISS",
      "ウイルス感染の可能性を早期発見に特化し、悪意的に行うアクションや挙動を検知。"
      "検知したウイルスの駆除はリモート操作や駆け付け駆除。",
      SM_EFFECT_PARTIAL, "検知のみ" },
    { "CyCraft", SM_DEV_EDR, "AI型EDRサービス",
      "ランサムソフトウェアをリアルタイムで遮断、解析、通報", SM_EFFECT_EFFECTIVE, NULL },
    { "NTT西日本", SM_DEV_EDR, "セキュリティおまかせプラン",
      "ウイルス対策、スパイウェア対策、ファイアウォール、URLフィルタリング、USB禁止設定",
      SM_EFFECT_EFFECTIVE, NULL },
    { "Blue Planet-works", SM_DEV_EDR, "AppGuard",
      "マルウェア対策、レガシーOS保護、閉域環境内の端末保護、特定端末の保護", SM_EFFECT_EFFECTIVE,
      NULL },
    { "ウィズセキュア", SM_DEV_EDR, "WithSecure Elements EDR／Elements EPP",
      "ランサムウェアや未知のマルウェアによるゼロデイ脆弱性の侵害の自律的な保護、未知の脅威や"
      "エクスプロイトに対抗、バッチ管理を完全自動化し、セキュリティバッチがリリースされた際に"
      "すぐに適用。",
      SM_EFFECT_EFFECTIVE, NULL },
    { "三井物産セキュアディレクション", SM_DEV_EDR, NULL,
      "PC毎のネットワーク通信を監視し、標的型攻撃等により感染したPCが情報漏えいや、悪意ある"
      "サイトへの誘導、不正なファイルのダウンロードをブロックします。尚且つブロックのもとに"
      "なったPCを特定し隔離。（マルウェア感染が要因と考えられるサイトへの接続PCを自動隔離し、"
      "マルウェア感染源の封じこめ及び横展開防止）",
      SM_EFFECT_PARTIAL, "不正サイトへの接続防止" },
    { "FFRIセキュリティ", SM_DEV_EDR, "FFRI yarai Cloud", "マルウェア対策", SM_EFFECT_EFFECTIVE,
      NULL },
};

#define N_WG_DEVICES (sizeof wg_devices / sizeof wg_devices[0])

/* Fictitious providers; index 0 is the one the demo user "provider" works for. */
static const struct {
    const char *name;
    const char *pref;
    const char *email;
} demo_providers[] = {
    { "（架空）北海道あんしんITサポート株式会社", "01", "hokkaido@example.com" },
    { "（架空）みちのくネット見守り株式会社", "04", "michinoku@example.com" },
    { "（架空）関東セキュリティ見守り隊株式会社", "13", "kanto@example.com" },
    { "（架空）中部デジタルまもり株式会社", "23", "chubu@example.com" },
    { "（架空）近畿サイバー安心サービス株式会社", "27", "kinki@example.com" },
    { "（架空）中国・四国ITガード株式会社", "34", "chushi@example.com" },
    { "（架空）九州・沖縄セキュアサポート株式会社", "40", "kyushu@example.com" },
    { "（架空）全国お助けネット株式会社", "13", "zenkoku@example.com" },
    { "（架空）端末まもるクラウド株式会社", "14", "tanmatsu@example.com" },
};

#define N_DEMO_PROVIDERS (sizeof demo_providers / sizeof demo_providers[0])

/* The eight regions' prefecture codes, and which fictitious provider serves each. */
static const struct {
    const char *name;
    int first, last;
    size_t provider;
} regions[] = {
    { "北海道", 1, 1, 0 }, { "東北", 2, 7, 1 },         { "関東", 8, 14, 2 },
    { "中部", 15, 23, 3 }, { "近畿", 24, 30, 4 },       { "中国", 31, 35, 5 },
    { "四国", 36, 39, 5 }, { "九州・沖縄", 40, 47, 6 },
};

#define N_REGIONS (sizeof regions / sizeof regions[0])

struct seeder {
    struct sm_store *store;
    const struct sm_actor *actor;
    struct sm_registry_who who;
    int32_t today;
    int64_t device_ids[N_WG_DEVICES];
    int64_t provider_ids[N_DEMO_PROVIDERS];
    struct sm_diag *diag;
};

static void date_in(const struct seeder *s, int days, char out[SM_DATE_SIZE])
{
    sm_date_format(s->today + days, out);
}

/* --- Facts --------------------------------------------------------------------------------- */

static int seed_devices(struct seeder *s)
{
    int64_t added = 0;
    int rc = sm__reg_begin(s->store, s->diag);
    for (size_t i = 0; !rc && i < N_WG_DEVICES; i++) {
        char ref[64];
        int64_t changed = 0;
        snprintf(ref, sizeof ref, "sc3-sme-wg-2023-02-20#%zu", i + 1);
        rc = sm_sql_run(s->store, &changed, s->diag,
                        "INSERT INTO monitoring_devices (ref, maker, kind, product, functions,"
                        " ransomware, reason, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (ref) DO NOTHING",
                        "tttttttt", ref, wg_devices[i].maker,
                        sm_device_kind_name(wg_devices[i].kind), wg_devices[i].product,
                        wg_devices[i].functions, sm_effect_name(wg_devices[i].effect),
                        wg_devices[i].reason, wg_source);
        added += changed;
        if (!rc)
            rc = sm_sql_run_int64(s->store, &s->device_ids[i], s->diag,
                                  "SELECT id FROM monitoring_devices WHERE ref = ?", "t", ref);
    }
    if (!rc && added)
        rc = sm__reg_audit_actor(s->store, s->actor, "registry.seed_devices", "registry", 0, NULL,
                                 s->diag);
    return sm__reg_finish(s->store, rc, s->diag);
}

/* A provider by name, added when missing; *id gets its id either way. */
static int seed_provider(struct seeder *s, const char *name, const char *pref, const char *email,
                         bool fictitious, const char *note, int64_t *id)
{
    int rc = sm_sql_run_int64(s->store, id, s->diag, "SELECT id FROM providers WHERE name = ?", "t",
                              name);
    if (rc != SM_ENOTFOUND)
        return rc;
    int64_t now = sm__now();
    if ((rc = sm__reg_begin(s->store, s->diag)))
        return rc;
    rc = sm_sql_run_int64(s->store, id, s->diag,
                          "INSERT INTO providers (name, head_office_pref, contact_email,"
                          " fictitious, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                          " RETURNING id",
                          "tttitii", name, pref, email, (int64_t)(fictitious ? 1 : 0), note, now,
                          now);
    if (!rc)
        rc = sm__reg_audit_actor(s->store, s->actor, "provider.seed", "provider", *id, name,
                                 s->diag);
    return sm__reg_finish(s->store, rc, s->diag);
}

/* A registered service with its approved content, unless seed_key exists. */
static int seed_service(struct seeder *s, const char *key, int64_t provider_id, const char *status,
                        const char *number, const char *registered_on, const char *renewal_on,
                        const char *note, const struct sm_service_content *c, int64_t *id_out)
{
    int64_t id = 0, version = 0, now = sm__now();
    int rc = sm_sql_run_int64(s->store, &id, s->diag, "SELECT id FROM services WHERE seed_key = ?",
                              "t", key);
    if (rc != SM_ENOTFOUND) {
        if (!rc && id_out)
            *id_out = id;
        return rc;
    }
    if ((rc = sm_service_content_check(c, s->diag)))
        return rc;
    if ((rc = sm__reg_begin(s->store, s->diag)))
        return rc;
    rc = sm_sql_run_int64(s->store, &id, s->diag,
                          "INSERT INTO services (provider_id, status, registration_no,"
                          " registered_on, renewal_on, status_note, seed_key, created_at,"
                          " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          "ittttttii", provider_id, status, number, registered_on, renewal_on, note,
                          key, now, now);
    if (!rc)
        rc = sm__content_insert(s->store, id, c, s->actor->name, &version, s->diag);
    if (!rc)
        rc =
            sm_sql_run(s->store, NULL, s->diag,
                       "UPDATE services SET public_version_id = ? WHERE id = ?", "ii", version, id);
    if (!rc)
        rc = sm__listing_refresh(s->store, id, 0, s->diag);
    if (!rc)
        rc = sm__reg_audit_actor(s->store, s->actor, "service.seed", "service", id, key, s->diag);
    rc = sm__reg_finish(s->store, rc, s->diag);
    if (!rc && id_out)
        *id_out = id;
    return rc;
}

static int seed_real(struct seeder *s)
{
    int64_t provider = 0;
    int rc = seed_provider(s, "大阪商工会議所", "27", NULL, false,
                           "2021年4月15日に公表された最初の登録5団体の一つ。出典: "
                           "ipa.go.jp/security/keihatsu/sme/otasuketai/, "
                           "japan.zdnet.com/article/35169410/",
                           &provider);
    if (rc)
        return rc;
    /* Only what the public sources state; the rest stays unknown until entered. */
    struct sm_device utm = {
        .kind = SM_DEV_UTM,
        .functions = "お客様のインターネット出口に設置したUTMを、NECグループのシステムで監視",
        .ransomware = SM_EFFECT_UNKNOWN,
        .reason = "公開情報では評価できない",
    };
    struct sm_service_content c;
    sm_service_content_init(&c);
    c.name = "大阪商工会議所のお助け隊サービス（正式名称は未入力）";
    c.summary = "2020年4月から商用提供。月額6,600円から。お客様のインターネット出口に設置した"
                "UTMをNECグループのシステムで監視し、駆付け対応を含む。";
    c.service_class = 1;
    c.monitoring = SM_MON_NETWORK;
    c.monthly_yen = 6600;
    c.price_note = "月額6,600円から";
    c.onsite = SM_TRI_YES;
    c.desc_monitoring = "お客様のインターネットの出口にUTMを設置し、NECグループのシステムで監視"
                        "します。扱うのは検知のメタデータ（IPアドレス、URL、メールヘッダー、"
                        "マルウェア名）だけで、ファイルの中身やメールの本文は扱いません。";
    c.desc_onsite = "駆付け対応がサービスに含まれます。";
    c.n_devices = 1;
    c.devices = &utm;
    return seed_service(s, "real:osaka-cci", provider, "registered", NULL, NULL, NULL,
                        "2021年4月に最初に登録された5団体の一つ（2021-04-15公表）。現在の登録状況、"
                        "登録番号、登録日、更新日、対応地域は未確認。",
                        &c, NULL);
}

/* --- Fictitious ---------------------------------------------------------------------------- */

/* What every fictitious service offers unless it says otherwise. */
static void demo_content(struct sm_service_content *c)
{
    sm_service_content_init(c);
    c->service_class = 1;
    c->initial_yen = 0;
    c->helpdesk = SM_TRI_YES;
    c->helpdesk_hours = "平日 9:00〜17:00（架空）";
    c->helpdesk_channels = SM_CHANNEL_PHONE | SM_CHANNEL_EMAIL;
    c->monitoring_24h = SM_TRI_YES;
    c->monitoring_method = "（架空）監視センターのシステムが24時間自動で監視し、重要な警告は"
                           "担当者が確認して連絡します。";
    c->onsite = SM_TRI_YES;
    c->remote_support = SM_TRI_YES;
    c->insurance = SM_TRI_YES;
    c->insurance_initial_response = SM_TRI_YES;
    c->insurance_pays = "（架空）駆付け費用と初動調査の費用を年間100万円まで補償";
    c->contract_terms = "（架空）1年契約、以後1年ごとの自動更新";
    c->contract_min_months = 12;
    c->desc_helpdesk = "（架空）導入や使い方、怪しいメールなど、困ったときに電話やメールで相談"
                       "できます。";
    c->desc_monitoring = "（架空）不審な通信や端末の動きを24時間見張り、危ないときはすぐに"
                         "お知らせします。";
    c->desc_onsite = "（架空）必要なときは、技術者が会社まで駆け付けて対応します。";
    c->desc_insurance = "（架空）被害にあったときの駆付けや調査の費用を保険で補償します。";
}

static uint64_t region_mask(size_t r)
{
    uint64_t m = 0;
    for (int n = regions[r].first; n <= regions[r].last; n++)
        m |= (uint64_t)1 << n;
    return m;
}

/* UTMs and EDRs of the working group's table (0-based rows) used in turn. */
static const size_t utm_rows[] = { 0, 2, 3, 4, 5, 7, 8 };
static const size_t edr_rows[] = { 6, 9, 10, 11, 12, 13, 14, 15, 16, 17 };

static struct sm_device catalog_device(const struct seeder *s, size_t row)
{
    struct sm_device d = {
        .catalog_id = s->device_ids[row],
        .maker = wg_devices[row].maker,
        .kind = wg_devices[row].kind,
        .product = wg_devices[row].product,
        .functions = wg_devices[row].functions,
        .ransomware = wg_devices[row].effect,
        .reason = wg_devices[row].reason,
    };
    return d;
}

/* One fictitious service: key, provider index, name, content, and its registration as of
 * renewal_days from today (negative: lapsed). */
static int demo_service(struct seeder *s, const char *key, size_t provider, const char *name,
                        struct sm_service_content *c, const char *status, int renewal_days,
                        const char *note, int64_t *id_out)
{
    char number[32], registered[SM_DATE_SIZE], renewal[SM_DATE_SIZE];
    date_in(s, renewal_days, renewal);
    sm_date_format(sm_date_add_months(s->today + renewal_days, -24), registered);
    /* The number comes from the key, so it is the same on every run. */
    unsigned h = 5381;
    for (const char *p = key; *p; p++)
        h = h * 33u + (unsigned char)*p;
    snprintf(number, sizeof number, "OTS-DEMO-%05u", h % 100000u);
    c->name = name;
    return seed_service(s, key, s->provider_ids[provider], status, number, registered, renewal,
                        note, c, id_out);
}

static int seed_fictitious_services(struct seeder *s, int64_t *showcase)
{
    struct sm_service_content c;
    struct sm_device dev[2];
    char key[64], name[256];
    int rc = SM_OK;

    /* Nationwide services: every prefecture has these three. */
    demo_content(&c);
    c.monitoring = SM_MON_NETWORK;
    c.nationwide = true;
    c.monthly_yen = 9800;
    c.initial_yen = 30000;
    c.summary = "（架空）全国どこでも使えるUTM見守りプラン。";
    dev[0] = catalog_device(s, 0);
    c.devices = dev;
    c.n_devices = 1;
    if ((rc = demo_service(s, "demo:n1", 7, "（架空）全国お助けネット UTM見守りプラン", &c,
                           "registered", 400, NULL, &showcase[0])))
        return rc;

    demo_content(&c);
    c.monitoring = SM_MON_ENDPOINT;
    c.nationwide = true;
    c.device_monthly_yen = 1800;
    c.helpdesk_hours = "24時間365日（架空）";
    c.summary = "（架空）パソコン1台から始められるEDR見守りプラン。";
    dev[0] = catalog_device(s, 17);
    c.devices = dev;
    c.n_devices = 1;
    if ((rc = demo_service(s, "demo:n2", 8, "（架空）端末まもるクラウド EDRプラン", &c,
                           "registered", 520, NULL, NULL)))
        return rc;

    demo_content(&c);
    c.service_class = 2;
    c.monitoring = SM_MON_COMBINED;
    c.nationwide = true;
    c.monthly_yen = 25000;
    c.device_monthly_yen = 3500;
    c.initial_yen = 50000;
    c.monitored_endpoints = 100;
    c.customers_1y = 25;
    char since[SM_DATE_SIZE];
    sm_date_format(sm_date_add_months(s->today, -40), since);
    c.class1_since = since;
    c.summary = "（架空）UTMとEDRを組み合わせ、定期的な相談も付いた2類のプラン。";
    dev[0] = catalog_device(s, 5);
    dev[1] = catalog_device(s, 6);
    c.devices = dev;
    c.n_devices = 2;
    if ((rc = demo_service(s, "demo:n3", 7, "（架空）全国お助けネット 併用プレミアム", &c,
                           "registered", 300, NULL, NULL)))
        return rc;

    /* Per region: a network and an endpoint service, a combined one in every other region,
     * and a class-2 network service in three. */
    for (size_t r = 0; r < N_REGIONS; r++) {
        size_t p = regions[r].provider;
        uint64_t mask = region_mask(r);

        demo_content(&c);
        c.monitoring = SM_MON_NETWORK;
        c.prefectures = mask;
        c.monthly_yen = 5500 + 500 * (int64_t)r;
        c.initial_yen = r % 2 ? 0 : 20000;
        dev[0] = catalog_device(s, utm_rows[r % (sizeof utm_rows / sizeof utm_rows[0])]);
        c.devices = dev;
        c.n_devices = 1;
        snprintf(key, sizeof key, "demo:r%zu:network", r + 1);
        snprintf(name, sizeof name, "（架空）%s UTM見守りサービス", regions[r].name);
        if ((rc = demo_service(s, key, p, name, &c, "registered", 200 + 37 * (int)r, NULL,
                               r == 0 ? &showcase[1] : NULL)))
            return rc;

        demo_content(&c);
        c.monitoring = SM_MON_ENDPOINT;
        c.prefectures = mask;
        c.device_monthly_yen = 1000 + 100 * (int64_t)r;
        /* Half of them have not stated their on-site dispatch in the demo data. */
        c.onsite = r % 2 == 0 ? SM_TRI_YES : SM_TRI_UNKNOWN;
        if (c.onsite == SM_TRI_UNKNOWN)
            c.desc_onsite = NULL;
        dev[0] = catalog_device(s, edr_rows[r % (sizeof edr_rows / sizeof edr_rows[0])]);
        c.devices = dev;
        c.n_devices = 1;
        snprintf(key, sizeof key, "demo:r%zu:endpoint", r + 1);
        snprintf(name, sizeof name, "（架空）%s EDR%sプラン", regions[r].name,
                 c.onsite == SM_TRI_YES ? "駆付け" : "見守り");
        if ((rc = demo_service(s, key, p, name, &c, "registered", 250 + 41 * (int)r, NULL,
                               r == 0 ? &showcase[2] : NULL)))
            return rc;

        if (r % 2 == 1) {
            demo_content(&c);
            c.monitoring = SM_MON_COMBINED;
            c.prefectures = mask;
            c.monthly_yen = 6000;
            c.device_monthly_yen = 1500;
            dev[0] = catalog_device(s, utm_rows[(r + 3) % (sizeof utm_rows / sizeof utm_rows[0])]);
            dev[1] = catalog_device(s, edr_rows[(r + 5) % (sizeof edr_rows / sizeof edr_rows[0])]);
            c.devices = dev;
            c.n_devices = 2;
            snprintf(key, sizeof key, "demo:r%zu:combined", r + 1);
            snprintf(name, sizeof name, "（架空）%s 併用安心パック", regions[r].name);
            if ((rc = demo_service(s, key, p, name, &c, "registered", 330 + 13 * (int)r, NULL,
                                   NULL)))
                return rc;
        }
        if (r == 2 || r == 4 || r == 7) {
            demo_content(&c);
            c.service_class = 2;
            c.monitoring = SM_MON_NETWORK;
            c.prefectures = mask;
            c.monthly_yen = 18000;
            c.initial_yen = 50000;
            c.monitored_endpoints = 80;
            c.customers_1y = 14;
            c.class1_since = since;
            c.helpdesk_hours = "24時間365日（架空）";
            c.helpdesk_channels = SM_CHANNEL_ALL;
            dev[0] = catalog_device(s, 2);
            c.devices = dev;
            c.n_devices = 1;
            snprintf(key, sizeof key, "demo:r%zu:class2", r + 1);
            snprintf(name, sizeof name, "（架空）%s 見守りプラス（2類）", regions[r].name);
            if ((rc = demo_service(s, key, p, name, &c, "registered", 500, NULL, NULL)))
                return rc;
        }
    }

    /* Registrations in other states: lapsed, due, suspended. */
    demo_content(&c);
    c.monitoring = SM_MON_NETWORK;
    c.prefectures = region_mask(2);
    c.monthly_yen = 7000;
    if ((rc = demo_service(s, "demo:lapsed-10", 2, "（架空）関東 旧UTMプラン", &c, "renewal_due",
                           -10, NULL, NULL)))
        return rc;
    demo_content(&c);
    c.monitoring = SM_MON_ENDPOINT;
    c.prefectures = region_mask(4);
    c.device_monthly_yen = 1900;
    if ((rc = demo_service(s, "demo:lapsed-40", 4, "（架空）近畿 旧EDRプラン", &c, "registered",
                           -40, NULL, NULL)))
        return rc;
    demo_content(&c);
    c.monitoring = SM_MON_NETWORK;
    c.prefectures = region_mask(3);
    c.monthly_yen = 8800;
    if ((rc = demo_service(s, "demo:due-20", 3, "（架空）中部 UTMライト", &c, "registered", 20,
                           NULL, NULL)))
        return rc;
    demo_content(&c);
    c.monitoring = SM_MON_ENDPOINT;
    c.prefectures = region_mask(1);
    c.device_monthly_yen = 1200;
    if ((rc = demo_service(s, "demo:due-5", 1, "（架空）東北 EDRライト", &c, "renewal_due", 5, NULL,
                           NULL)))
        return rc;
    demo_content(&c);
    c.monitoring = SM_MON_NETWORK;
    c.prefectures = region_mask(5) | region_mask(6);
    c.monthly_yen = 9000;
    return demo_service(s, "demo:suspended", 5, "（架空）中国・四国 UTMベーシック", &c, "suspended",
                        180, "（架空）契約条件の確認のため一時停止中", NULL);
}

/* A new service and a change waiting for review, so the reviewer's pages have work. */
static int seed_applications(struct seeder *s, int64_t change_service)
{
    char today[SM_DATE_SIZE];
    int64_t n = 0, app = 0, svc = 0;
    sm_date_format(s->today, today);
    int rc = sm_sql_run_int64(s->store, &n, s->diag,
                              "SELECT COUNT(*) FROM services WHERE seed_key = 'demo:pending'", "");
    if (!rc && n == 0) {
        struct sm_service_content c;
        struct sm_device d = catalog_device(s, 11);
        demo_content(&c);
        c.name = "（架空）北海道 かんたんEDR（申請中）";
        c.monitoring = SM_MON_ENDPOINT;
        c.prefectures = region_mask(0);
        c.device_monthly_yen = 1500;
        /* Not yet stated: the report shows the reviewer what is missing. */
        c.insurance_initial_response = SM_TRI_UNKNOWN;
        c.devices = &d;
        c.n_devices = 1;
        rc = sm_registry_apply(s->store, &s->who, SM_APP_NEW, s->provider_ids[0], &c, today, &app,
                               &svc, s->diag);
        if (!rc)
            rc = sm_sql_run(s->store, NULL, s->diag,
                            "UPDATE services SET seed_key = 'demo:pending' WHERE id = ?", "i", svc);
    }
    if (!rc)
        rc = sm_sql_run_int64(s->store, &n, s->diag,
                              "SELECT COUNT(*) FROM applications WHERE service_id = ?", "i",
                              change_service);
    if (!rc && n == 0) {
        struct sm_registry_service *cur = NULL;
        rc =
            sm_registry_service_get(s->store, &s->who, change_service, false, today, &cur, s->diag);
        if (!rc) {
            struct sm_service_content c = cur->content;
            c.monthly_yen = 6200;
            c.price_note = "（架空）2台目以降のUTMは月額3,000円";
            rc = sm_registry_apply(s->store, &s->who, SM_APP_CHANGE, change_service, &c, today,
                                   NULL, NULL, s->diag);
        }
        sm_registry_service_free(cur);
    }
    return rc;
}

static int seed_case(struct seeder *s, const char *key, int64_t service_id, const char *state,
                     enum sm_case_source source, const char *title, const char *body,
                     const char *industry, const char *pref)
{
    int64_t n = 0, id = 0, now = sm__now();
    int rc = sm_sql_run_int64(s->store, &n, s->diag,
                              "SELECT COUNT(*) FROM case_studies WHERE seed_key = ?", "t", key);
    if (rc || n)
        return rc;
    if ((rc = sm__reg_begin(s->store, s->diag)))
        return rc;
    rc = sm_sql_run_int64(s->store, &id, s->diag,
                          "INSERT INTO case_studies (service_id, source, title, body, industry,"
                          " prefecture, state, seed_key, created_by, created_at, updated_at,"
                          " published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                          " RETURNING id",
                          "ittttttttiii", service_id, sm_case_source_name(source), title, body,
                          industry, pref, state, key, s->actor->name, now, now,
                          strcmp(state, "published") == 0 ? now : (int64_t)0);
    if (!rc && strcmp(state, "published") != 0)
        rc = sm_sql_run(s->store, NULL, s->diag,
                        "UPDATE case_studies SET published_at = NULL WHERE id = ?", "i", id);
    if (!rc)
        rc = sm__reg_audit_actor(s->store, s->actor, "case_study.seed", "case_study", id, key,
                                 s->diag);
    return sm__reg_finish(s->store, rc, s->diag);
}

static int seed_cases(struct seeder *s, const int64_t *showcase)
{
    int rc;
    if ((rc = seed_case(
             s, "demo:case1", showcase[0], "published", SM_CASE_PROVIDER_REPORT,
             "（架空の事例）不審な通信を夜間に検知し、翌朝には復旧",
             "（架空の事例）従業員20名の部品加工業。深夜にUTMが不審な外部通信を検知し、"
             "監視センターから朝一番に連絡。技術者が駆け付けて感染したパソコンを切り離し、"
             "取引先への影響を防ぎました。",
             "製造業", "23")) ||
        (rc = seed_case(s, "demo:case2", showcase[1], "published", SM_CASE_WEBINAR,
                        "（架空の事例）偽の請求メールに気づけた",
                        "（架空の事例）従業員8名の運送業。ウェビナーで紹介。UTMが危険なサイトへの"
                        "接続を止め、相談窓口に電話して対処の仕方を教わりました。",
                        "運輸業", "01")) ||
        (rc =
             seed_case(s, "demo:case3", showcase[2], "published", SM_CASE_PROVIDER_REPORT,
                       "（架空の事例）雪の日でも駆け付けてくれた",
                       "（架空の事例）従業員15名の食品卸。EDRがランサムウェアの疑いのある動きを"
                       "検知して端末を隔離。技術者が現地で確認し、保険で調査費用がまかなえました。",
                       "卸売業", "01")) ||
        (rc = seed_case(s, "demo:case4", showcase[1], "awaiting_provider", SM_CASE_WEBINAR,
                        "（架空の事例）相談窓口で社内ルールづくり",
                        "（架空の事例）原稿：相談窓口の助言を受けて、パスワードとバックアップの"
                        "社内ルールを作りました。",
                        "サービス業", "01")))
        return rc;
    return SM_OK;
}

static int seed_inquiries(struct seeder *s, int64_t service_id)
{
    int64_t n = 0;
    int rc = sm_sql_run_int64(s->store, &n, s->diag,
                              "SELECT COUNT(*) FROM inquiries WHERE provider_id = ?", "i",
                              s->provider_ids[0]);
    if (rc || n)
        return rc;
    char today[SM_DATE_SIZE];
    sm_date_format(s->today, today);
    const struct sm_inquiry_in in[] = {
        { .service_id = service_id,
          .name = "（架空）山田 太郎",
          .company = "（架空）山田製作所",
          .email = "yamada@example.com",
          .prefecture = "01",
          .message = "（架空）従業員10名です。導入までの流れを教えてください。",
          .utm_source = "ipa",
          .utm_medium = "referral",
          .referrer = SM_REF_GOVERNMENT },
        { .service_id = service_id,
          .name = "（架空）佐藤 花子",
          .company = "（架空）佐藤商店",
          .email = "sato@example.com",
          .phone = "011-000-0000",
          .prefecture = "01",
          .message = "（架空）駆付けは札幌市外でも来てもらえますか。",
          .referrer = SM_REF_SEARCH },
        { .service_id = service_id,
          .name = "（架空）鈴木 一郎",
          .company = "（架空）鈴木運輸",
          .email = "suzuki@example.com",
          .prefecture = "01",
          .message = "（架空）新聞広告を見ました。見積もりをお願いします。",
          .utm_source = "newspaper",
          .utm_medium = "print",
          .utm_campaign = "2022-11-ad",
          .referrer = SM_REF_DIRECT },
    };
    for (size_t i = 0; !rc && i < sizeof in / sizeof in[0]; i++)
        rc = sm_inquiry_submit(s->store, &in[i], today, sm__now(), NULL, s->diag);
    return rc;
}

/* Links the demo user "provider", when it exists and has no provider, to provider 0. */
static int link_demo_user(struct seeder *s)
{
    struct sm_user *u = NULL;
    struct sm_diag ignore;
    int rc = sm_user_get(s->store, "provider", &u, &ignore);
    if (rc == SM_ENOTFOUND)
        return SM_OK;
    if (rc)
        return rc;
    if (u->role == SM_ROLE_PROVIDER && u->provider_id == 0)
        rc = sm_user_set_provider(s->store, s->actor, "provider", s->provider_ids[0], s->diag);
    sm_user_free(u);
    return rc;
}

int sm_registry_seed_demo_at(struct sm_store *store, const struct sm_actor *actor,
                             const char *today, struct sm_diag *diag)
{
    struct sm_actor fallback = { .user_id = 0, .name = "seed" };
    if (!actor)
        actor = &fallback;
    struct seeder s = { .store = store, .actor = actor, .diag = diag };
    s.who = sm_registry_who_system(actor->name);
    s.who.user_id = actor->user_id;
    if (sm_date_parse(today, &s.today))
        return sm_diag_set(diag, SM_EINVAL, "date '%s' is not YYYY-MM-DD", today ? today : "");
    int64_t showcase[3] = { 0, 0, 0 };
    int rc = seed_devices(&s);
    if (!rc)
        rc = seed_real(&s);
    for (size_t i = 0; !rc && i < N_DEMO_PROVIDERS; i++)
        rc = seed_provider(&s, demo_providers[i].name, demo_providers[i].pref,
                           demo_providers[i].email, true, "デモ用の架空の事業者",
                           &s.provider_ids[i]);
    if (!rc)
        rc = seed_fictitious_services(&s, showcase);
    if (!rc)
        rc = seed_applications(&s, showcase[1]);
    if (!rc)
        rc = seed_cases(&s, showcase);
    if (!rc)
        rc = seed_inquiries(&s, showcase[1]);
    if (!rc)
        rc = link_demo_user(&s);
    return rc;
}

int sm_registry_seed_demo(struct sm_store *store, const struct sm_actor *actor,
                          struct sm_diag *diag)
{
    char today[SM_DATE_SIZE];
    sm_date_today(today);
    return sm_registry_seed_demo_at(store, actor, today, diag);
}
