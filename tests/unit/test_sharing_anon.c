/*
 * Unit tests of the anonymisation of incident reports: every scrubbing rule of
 * sm_scrub_text with the forms people write (full-width digits, Japanese separators,
 * defanged addresses), what must survive scrubbing, the dictionary's name variants, the
 * family rule, and sm_sharing_anonymise's coarsening of dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/sharing.h"
#include "smesec/smesec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *scrub(const struct sm_scrub_dict *dict, const char *extra, const char *s)
{
    char *out = NULL;
    size_t len = 0;
    struct sm_diag d;
    int rc = sm_scrub_text(dict, extra, s, strlen(s), &out, &len, &d);
    if (rc)
        fail_msg("sm_scrub_text('%s'): %s", s, d.msg);
    assert_int_equal(strlen(out), len);
    return out;
}

/* Scrubs s and checks that gone does not survive and, when not NULL, that kept does and
 * that placeholder appears. */
static void check(const struct sm_scrub_dict *dict, const char *extra, const char *s,
                  const char *gone, const char *placeholder, const char *kept)
{
    char *out = scrub(dict, extra, s);
    if (gone && strstr(out, gone))
        fail_msg("'%s' survived scrubbing of '%s': '%s'", gone, s, out);
    if (placeholder && !strstr(out, placeholder))
        fail_msg("no '%s' in the scrubbed '%s': '%s'", placeholder, s, out);
    if (kept && !strstr(out, kept))
        fail_msg("'%s' was lost scrubbing '%s': '%s'", kept, s, out);
    sm_free(out);
}

static void urls_emails_and_hosts(void **state)
{
    (void)state;
    check(NULL, NULL, "http://evil.example.com/a?b=1 から感染", "evil", "〔URL〕", "から感染");
    check(NULL, NULL, "hxxps://bad[.]example[.]net/x へ通信", "bad", "〔URL〕", "へ通信");
    check(NULL, NULL, "www.canary-shop.jp を改ざん", "canary-shop", "〔URL〕", "を改ざん");
    check(NULL, NULL, "送信元 taro.yamada@canary.co.jp より", "taro", "〔メール〕", "より");
    check(NULL, NULL, "ｔａｒｏ＠ｃａｎａｒｙ．ｃｏ．ｊｐ", "taro", "〔メール〕", NULL);
    check(NULL, NULL, "info [at] canary.example.org 宛", "canary", "〔メール〕", NULL);
    /* An address that runs on from another is found too. */
    check(NULL, NULL, "x@y.jp_taro@canary.jp", "taro", "〔メール〕", NULL);
    check(NULL, NULL, "x@y.jp_taro@canary.jp", "@", NULL, NULL);
    /* Found by fuzz_incident_json: a second address glued on after the first one's domain
     * survived, since no match may start right after an address character. */
    check(NULL, NULL, "info@kaRRR___1a@b.At の件", "b.At", "〔メール〕", "の件");
    check(NULL, NULL, "x@a_b@canary.jp", "canary", "〔メール〕", NULL);
    check(NULL, NULL, "mail.canary.local が停止", "canary", "〔ホスト名〕", "が停止");
    check(NULL, NULL, "nas01.corp.internal へ", "nas01", "〔ホスト名〕", NULL);
    check(NULL, NULL, "\\\\fileserver01\\share を暗号化", "fileserver01", "〔URL〕", NULL);
    /* File names and versions are not hosts. */
    check(NULL, NULL, "請求書.xlsx と invoice.exe を開いた", NULL, NULL, "invoice.exe");
    check(NULL, NULL, "Windows 10 の v1.2 で", NULL, NULL, "v1.2");
}

static void addresses_numbers(void **state)
{
    (void)state;
    check(NULL, NULL, "192.168.10.23 から", "192.168", "〔IPアドレス〕", "から");
    check(NULL, NULL, "１９２．１６８．１．５ への通信", "168", "〔IPアドレス〕", NULL);
    check(NULL, NULL, "C2 は 203.0.113[.]7:443 だった", "203.0", "〔IPアドレス〕", NULL);
    check(NULL, NULL, "10.0.0.0/8 の中", "10.0", "〔IPアドレス〕", NULL);
    check(NULL, NULL, "fe80::1ff:fe23:4567:890a%eth0 と", "fe80", "〔IPアドレス〕", "と");
    check(NULL, NULL, "2001:db8::1 へ", "2001:db8", "〔IPアドレス〕", NULL);
    check(NULL, NULL, "MAC 00:1A:2B:3C:4D:5E を遮断", "2B:3C", "〔IPアドレス〕", NULL);
    check(NULL, NULL, "MAC 00-1a-2b-3c-4d-5e を遮断", "2b-3c", "〔IPアドレス〕", NULL);
    /* Times and dates stay. */
    check(NULL, NULL, "12:30:45 に検知、2024-05-01 に復旧", NULL, NULL, "12:30:45");
    check(NULL, NULL, "12:30:45 に検知、2024-05-01 に復旧", NULL, NULL, "2024-05-01");
}

static void phones(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "電話 03-1234-5678 まで",    "電話 ０３－１２３４－５６７８ まで",
        "電話 03ー1234ー5678 まで",  "電話 (03) 1234-5678 まで",
        "電話 0312345678 まで",      "携帯 090-1234-5678 まで",
        "電話 +81-3-1234-5678 まで", "電話 +81 90 1234 5678 まで",
        "TEL03-1234-5678 まで",      "フリーダイヤル 0120-123-456 まで",
        "電話 03−1234−5678 まで",    "電話 03.1234.5678 まで",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        check(NULL, NULL, forms[i], "1234", "〔電話番号〕", "まで");
        check(NULL, NULL, forms[i], "123-456", NULL, NULL);
    }
    /* Counts and amounts are not phone numbers. */
    check(NULL, NULL, "PC 3 台、被害額 1000000 円", NULL, NULL, "1000000");
}

static void postal_addresses(void **state)
{
    (void)state;
    check(NULL, NULL, "〒100-0001 東京都千代田区千代田1-1 の事務所", "千代田", "〔住所〕",
          "の事務所");
    check(NULL, NULL, "〒１００－０００１ に", "0001", "〔住所〕", NULL);
    check(NULL, NULL, "大阪府大阪市北区梅田3-1-1にある", "梅田", "〔住所〕", "にある");
    check(NULL, NULL, "埼玉県さいたま市浦和区高砂3丁目", "浦和", "〔住所〕", NULL);
    check(NULL, NULL, "横浜市中区本町6-50-10 の支店", "本町", "〔住所〕", "の支店");
    /* A prefecture alone is the coarse location reports already have. */
    check(NULL, NULL, "東京都内の顧客で発生", NULL, NULL, "東京都内の顧客で発生");
    check(NULL, NULL, "大阪市内で3台", NULL, NULL, "大阪市内で3台");
}

static void company_and_person_names(void **state)
{
    (void)state;
    check(NULL, NULL, "株式会社カナリア商事で発生", "カナリア", "〔組織名〕", "で発生");
    check(NULL, NULL, "カナリア商事株式会社の経理", "カナリア", "〔組織名〕", "の経理");
    check(NULL, NULL, "（株）カナリア の PC", "カナリア", "〔組織名〕", NULL);
    check(NULL, NULL, "㈱カナリアの PC", "カナリア", "〔組織名〕", NULL);
    check(NULL, NULL, "有限会社やまだ屋が被害", "やまだ", "〔組織名〕", "が被害");
    check(NULL, NULL, "合同会社Canaryworks では", "Canaryworks", "〔組織名〕", "では");
    check(NULL, NULL, "Canary Trading Co., Ltd. reported", "Canary", "〔組織名〕", "reported");
    check(NULL, NULL, "Canary Foods Inc. was hit", "Canary", "〔組織名〕", "was hit");
    check(NULL, NULL, "経理の山田様から連絡", "山田", "〔氏名〕", "から連絡");
    check(NULL, NULL, "担当の佐藤さんが再起動", "佐藤", "〔氏名〕", "が再起動");
    check(NULL, NULL, "鈴木部長の PC", "鈴木", "〔氏名〕", NULL);
    check(NULL, NULL, "代表取締役 田中一郎 に報告", "田中", "〔氏名〕", "代表取締役");
    check(NULL, NULL, "contacted Mr. John Smith today", "Smith", "〔氏名〕", "today");
    /* Common nouns before honorifics stay. */
    check(NULL, NULL, "お客様と担当者様に説明", NULL, NULL, "お客様と担当者様に説明");
}

static void dictionary_and_customer_name(void **state)
{
    (void)state;
    struct sm_scrub_dict *d = NULL;
    assert_int_equal(sm_scrub_dict_new(&d), SM_OK);
    assert_int_equal(sm_scrub_dict_add(d, "（架空）みなとセキュリティ株式会社"), SM_OK);
    assert_int_equal(sm_scrub_dict_add(d, "Minato Guard"), SM_OK);
    assert_int_equal(sm_scrub_dict_add(d, "高橋 花子"), SM_OK);
    check(d, NULL, "みなとセキュリティの監視で検知", "みなとセキュリティ", "〔組織名〕",
          "の監視で検知");
    check(d, NULL, "MINATO GUARD alerted", "MINATO", "〔組織名〕", "alerted");
    check(d, NULL, "高橋花子が対応", "花子", "〔組織名〕", NULL);
    check(d, NULL, "高橋が対応", "高橋", NULL, NULL);
    /* The report's own customer name, in any width and with or without the company form. */
    check(d, "株式会社ｶﾅﾘｱ物産", "カナリア物産の経理 PC", "カナリア物産", "〔組織名〕", "の経理");
    check(NULL, "Canary Bussan K.K.", "canary bussan's server", "canary", "〔組織名〕", "server");
    /* Short names are not used: they would remove ordinary words. */
    check(NULL, "AB", "AB テスト", NULL, NULL, "AB");
    sm_scrub_dict_free(d);
}

static void families(void **state)
{
    (void)state;
    struct sm_incident in;
    sm_incident_init(&in);
    in.ext_id = "r1";
    in.detected_on = "2024-08-31";
    in.prefecture = "13";
    in.industry = "E";
    in.threat = SM_THREAT_RANSOMWARE;
    in.customer_name = "株式会社カナリア";
    struct sm_incident_anon a;
    struct sm_diag d;

    in.malware_family = "ＬｏｃｋＢｉｔ 3.0";
    assert_int_equal(sm_sharing_anonymise(NULL, &in, &a, &d), SM_OK);
    assert_string_equal(a.family, "lockbit 3.0");
    assert_string_equal(a.month, "2024-08");
    assert_string_equal(a.half, "2024H2");
    sm_incident_anon_release(&a);

    /* A family that holds anything identifying is dropped, not scrubbed. */
    static const char *const bad[] = { "カナリア専用",     "lockbit@canary.co.jp", "192.168.0.1",
                                       "evil.example.com", "ロックビット",         "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in.malware_family = bad[i];
        assert_int_equal(sm_sharing_anonymise(NULL, &in, &a, &d), SM_OK);
        if (a.family)
            fail_msg("family '%s' was kept as '%s'", bad[i], a.family);
        sm_incident_anon_release(&a);
    }
    /* Only ransomware and malware have a family. */
    in.threat = SM_THREAT_PHISHING;
    in.malware_family = "Emotet";
    assert_int_equal(sm_sharing_anonymise(NULL, &in, &a, &d), SM_OK);
    assert_null(a.family);
    sm_incident_anon_release(&a);
}

static void notes_are_scrubbed_and_dates_coarsened(void **state)
{
    (void)state;
    struct sm_incident in;
    sm_incident_init(&in);
    in.ext_id = "r2";
    in.detected_on = "2025-01-15";
    in.prefecture = "27";
    in.industry = "P";
    in.customer_name = "医療法人社団カナリア会";
    in.notes = "カナリア会の受付 PC (10.1.2.3) が感染。院長の山本様 (yamamoto@kanaria.or.jp, "
               "06-1234-5678) に報告。";
    struct sm_incident_anon a;
    struct sm_diag d;
    assert_int_equal(sm_sharing_anonymise(NULL, &in, &a, &d), SM_OK);
    static const char *const gone[] = { "カナリア", "10.1.2.3", "山本",
                                        "yamamoto", "kanaria",  "1234" };
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (strstr(a.notes, gone[i]))
            fail_msg("'%s' survived in '%s'", gone[i], a.notes);
    assert_non_null(strstr(a.notes, "受付 PC"));
    assert_string_equal(a.month, "2025-01");
    assert_string_equal(a.half, "2025H1");
    assert_string_equal(a.prefecture, "27");
    sm_incident_anon_release(&a);
}

static void invalid_utf8_is_refused(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    struct sm_diag d;
    assert_int_equal(sm_scrub_text(NULL, NULL, "ab\xff", 3, &out, &len, &d), SM_EPARSE);
    assert_null(out);
}

static void scrubbing_is_stable(void **state)
{
    (void)state;
    /* Scrubbing scrubbed text changes nothing more. */
    const char *s = "株式会社カナリア (03-1234-5678, a@b.jp, 10.0.0.1) の山田様、〒100-0001 "
                    "東京都千代田区1-1、https://x.example/";
    char *once = scrub(NULL, "カナリア", s);
    char *twice = scrub(NULL, "カナリア", once);
    char *norm = NULL;
    size_t len = 0;
    assert_int_equal(sm_text_normalize(once, strlen(once), &norm, &len, NULL), SM_OK);
    assert_string_equal(norm, twice);
    assert_null(strstr(once, "〔組織名〕〔組織名〕"));
    sm_free(norm);
    sm_free(once);
    sm_free(twice);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urls_emails_and_hosts),
        cmocka_unit_test(addresses_numbers),
        cmocka_unit_test(phones),
        cmocka_unit_test(postal_addresses),
        cmocka_unit_test(company_and_person_names),
        cmocka_unit_test(dictionary_and_customer_name),
        cmocka_unit_test(families),
        cmocka_unit_test(notes_are_scrubbed_and_dates_coarsened),
        cmocka_unit_test(invalid_utf8_is_refused),
        cmocka_unit_test(scrubbing_is_stable),
    };
    return cmocka_run_group_tests_name("sharing anonymisation", tests, NULL, NULL);
}
