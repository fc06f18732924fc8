/*
 * The export tests' report (see export_fixture.h for the table of scores it encodes).
 * The judgement is written out by hand from that table under the default criterion (share
 * 0.5, min_score 1) rather than computed, so the export tests do not depend on the judging
 * code, only on its header.
 */
#include "export_fixture.h"

#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "util/banned.h"

/* clang-format off */
static const char YAML[] =
    "version: \"fix-1.0\"\n"
    "title: \"テスト用チェック項目\"\n"
    "title_en: \"Test check items\"\n"
    "categories:\n"
    "  - id: technical\n"
    "    name_ja: \"技術的対策\"\n"
    "    name_en: \"Technical measures\"\n"
    "  - id: people\n"
    "    name_ja: \"人的対策\"\n"
    "    name_en: \"People\"\n"
    "  - id: governance\n"
    "    name_ja: \"組織的対策\"\n"
    "    name_en: \"Organisational measures\"\n"
    "items:\n"
    "  - id: TEC-01\n"
    "    category: technical\n"
    "    stage: 1\n"
    "    title_ja: \"OSやソフトウェアの更新\"\n"
    "    title_en: \"Keep OS and software up to date\"\n"
    "    description_ja: \"OSやソフトウェアを常に最新の状態にしている。\"\n"
    "    description_en: \"OS and software are kept up to date.\"\n"
    "    howto_ja: \"自動更新を有効にしましょう。\"\n"
    "    howto_en: \"Turn on automatic updates.\"\n"
    "    examples:\n"
    "      - \"TEC01段階1の記載例: 更新するよう努める。\"\n"
    "      - \"TEC01段階2の記載例: 担当者が更新を確認する。\"\n"
    "      - \"TEC01段階3の記載例: 毎月更新状況を点検し記録する。\"\n"
    "    references: [\"IPA 5分診断 Q1\", \"NIST CSF 2.0 PR.PS-02\"]\n"
    "    rules:\n"
    "      terms: [\"更新\"]\n"
    "  - id: TEC-02\n"
    "    category: technical\n"
    "    stage: 1\n"
    "    title_ja: '<script>alert(\"item\")</script>ウイルス対策ソフトの導入'\n"
    "    title_en: \"Anti-virus software\"\n"
    "    description_ja: \"ウイルス対策ソフトを導入し、定義ファイルを更新している。\"\n"
    "    description_en: \"Anti-virus software is installed and kept current.\"\n"
    "    howto_ja: \"全ての端末に導入しましょう。\"\n"
    "    howto_en: \"Install it on every device.\"\n"
    "    examples:\n"
    "      - \"TEC02段階1の記載例\"\n"
    "      - \"TEC02段階2の記載例\"\n"
    "      - \"TEC02段階3の記載例\"\n"
    "    references: [\"IPA 5分診断 Q2\"]\n"
    "    rules:\n"
    "      terms: [\"ウイルス対策\"]\n"
    "  - id: PEO-01\n"
    "    category: people\n"
    "    stage: 1\n"
    "    title_ja: '=HYPERLINK(\"http://x.example\",\"y\") 従業員教育'\n"
    "    title_en: \"Staff training\"\n"
    "    description_ja: \"従業員に情報セキュリティ教育を行っている。\"\n"
    "    description_en: \"Staff are trained.\"\n"
    "    howto_ja: \"年1回、研修を行いましょう。\"\n"
    "    howto_en: \"Train once a year.\"\n"
    "    examples:\n"
    "      - \"PEO01段階1の記載例\"\n"
    "      - \"PEO01段階2の記載例\"\n"
    "      - \"PEO01段階3の記載例\"\n"
    "    references: [\"IPA 5分診断 Q20\"]\n"
    "    rules:\n"
    "      terms: [\"教育\"]\n"
    "  - id: PEO-02\n"
    "    category: people\n"
    "    stage: 2\n"
    "    title_ja: \"秘密保持の誓約\"\n"
    "    title_en: \"Confidentiality pledges\"\n"
    "    description_ja: \"従業員から秘密保持の誓約を得ている。\"\n"
    "    description_en: \"Staff sign confidentiality pledges.\"\n"
    "    howto_ja: \"入社時に誓約書を取りましょう。\"\n"
    "    howto_en: \"Have new staff sign a pledge.\"\n"
    "    examples:\n"
    "      - \"PEO02段階1の記載例\"\n"
    "      - \"PEO02段階2の記載例\"\n"
    "      - \"PEO02段階3の記載例\"\n"
    "    references: [\"IPA 5分診断 Q21\"]\n"
    "    rules:\n"
    "      terms: [\"誓約\"]\n"
    "  - id: GOV-01\n"
    "    category: governance\n"
    "    stage: 3\n"
    "    title_ja: \"情報セキュリティ基本方針\"\n"
    "    title_en: \"A basic policy\"\n"
    "    description_ja: \"基本方針を定めて公表している。\"\n"
    "    description_en: \"A basic policy is written and published.\"\n"
    "    howto_ja: \"ひな形から1枚にまとめましょう。\"\n"
    "    howto_en: \"Start from the sample.\"\n"
    "    examples:\n"
    "      - \"GOV01段階1の記載例\"\n"
    "      - \"GOV01段階2の記載例\"\n"
    "      - \"GOV01段階3の記載例\"\n"
    "    references: [\"IPA 5分診断 Q1\"]\n"
    "    rules:\n"
    "      terms: [\"基本方針\"]\n"
    "  - id: GOV-02\n"
    "    category: governance\n"
    "    stage: 2\n"
    "    title_ja: \"委託先の管理\"\n"
    "    title_en: \"Managing contractors\"\n"
    "    description_ja: \"委託先のセキュリティを確認している。\"\n"
    "    description_en: \"Contractors' security is checked.\"\n"
    "    howto_ja: \"契約に条項を入れましょう。\"\n"
    "    howto_en: \"Put clauses in the contract.\"\n"
    "    examples:\n"
    "      - \"GOV02段階1の記載例\"\n"
    "      - \"GOV02段階2の記載例\"\n"
    "      - \"GOV02段階3の記載例\"\n"
    "    references: [\"NIST CSF 2.0 GV.SC-05\"]\n"
    "    rules:\n"
    "      terms: [\"委託先\"]\n";

/* Scores, row per item, column per guideline; -1 not analysed. */
static const int SCORES[SM_FIX_ITEMS][SM_FIX_GUIDELINES] = {
    { 2, 2, 1, 2 },
    { 1, 2, 0, 1 },
    { 2, 1, -1, 0 },
    { 0, 1, 0, 0 },
    { 1, 0, 1, 0 },
    { 0, 0, 0, 0 },
};

/* clang-format on */

int sm_fix_init(struct sm_fix *f)
{
    memset(f, 0, sizeof *f);
    struct sm_diag diag;
    sm_diag_clear(&diag);
    if (sm_catalog_parse(YAML, sizeof YAML - 1, "fixture.yaml", &f->catalog, &diag) != SM_OK) {
        fprintf(stderr, "fixture catalog: %s (line %ld)\n", diag.msg, diag.line);
        return -1;
    }
    if (sm_catalog_n_items(f->catalog) != SM_FIX_ITEMS) {
        fprintf(stderr, "fixture catalog: %zu items\n", sm_catalog_n_items(f->catalog));
        return -1;
    }

    f->guidelines[0] = (struct sm_matrix_guideline){
        11, "自動車", "日本自動車工業会", "自動車産業サイバーセキュリティガイドライン", "2.0", 2022
    };
    f->guidelines[1] = (struct sm_matrix_guideline){ 12,           SM_FIX_LONG_INDUSTRY,
                                                     "厚生労働省", SM_FIX_EVIL_TITLE,
                                                     "6.0",        2023 };
    f->guidelines[2] = (struct sm_matrix_guideline){ 13,         SM_FIX_FORMULA_INDUSTRY,
                                                     "物流協会", "物流セキュリティガイドライン",
                                                     "",         0 };
    f->guidelines[3] = (struct sm_matrix_guideline){
        14, "自動車", "日本自動車部品工業会", "部品 [v2]: ガイド*?/\\", "1.1", 2021
    };

    static char ev0[] = "毎月、担当者がOSの更新を確認する。";
    static char ev1[] = "ソフトウェアは更新する。";
    static char ev2[] = "<script>alert('ev')</script>ウイルス対策ソフトを導入する。";
    static char ev3[] = "基本方針を定め、\"全社\"に周知する。";
    static char t_update[] = "更新";
    static char t_av[] = "ウイルス対策";
    static char t_policy[] = "基本方針";
    f->evidence[0] = (struct sm_evidence){ 3, 0, sizeof ev0 - 1, ev0, 2, t_update };
    f->evidence[1] = (struct sm_evidence){ 4, 20, sizeof ev1 - 1, ev1, 1, t_update };
    f->evidence[2] = (struct sm_evidence){ 5, 0, sizeof ev2 - 1, ev2, 1, t_av };
    f->evidence[3] = (struct sm_evidence){ 12, 0, sizeof ev3 - 1, ev3, 1, t_policy };

    for (size_t i = 0; i < SM_FIX_ITEMS; i++) {
        for (size_t g = 0; g < SM_FIX_GUIDELINES; g++) {
            struct sm_cell *c = &f->cells[i * SM_FIX_GUIDELINES + g];
            c->score = SCORES[i][g];
            c->auto_score = SCORES[i][g];
            c->strength = SCORES[i][g] > 0 ? 6 : 0;
            c->relation = SCORES[i][g] > 0 ? SM_REL_INTERSECTS : SM_REL_NOT_RELATED;
            c->method = SM_METHOD_AUTO;
            c->review = SM_REVIEW_PROPOSED;
        }
    }
    /* TEC-01 for guideline 11: two sentences, accepted. */
    f->cells[0 * 4 + 0].n_evidence = 2;
    f->cells[0 * 4 + 0].evidence = &f->evidence[0];
    f->cells[0 * 4 + 0].review = SM_REVIEW_ACCEPTED;
    /* TEC-02 for guideline 12: the analyser said 1, an analyst set 2 with a note. */
    f->cells[1 * 4 + 1].auto_score = 1;
    f->cells[1 * 4 + 1].method = SM_METHOD_MANUAL;
    f->cells[1 * 4 + 1].note = "<b>手動</b>で確認: 別紙に具体的な手順あり";
    f->cells[1 * 4 + 1].n_evidence = 1;
    f->cells[1 * 4 + 1].evidence = &f->evidence[2];
    /* GOV-01 for guideline 11: accepted; PEO-01 for 11 accepted; PEO-02 for 12 rejected. */
    f->cells[4 * 4 + 0].n_evidence = 1;
    f->cells[4 * 4 + 0].evidence = &f->evidence[3];
    f->cells[4 * 4 + 0].review = SM_REVIEW_ACCEPTED;
    f->cells[2 * 4 + 0].review = SM_REVIEW_ACCEPTED;
    f->cells[3 * 4 + 1].review = SM_REVIEW_REJECTED;
    /* TEC-01 for guideline 13 (score 1, below the reference 2) has evidence too. */
    f->cells[0 * 4 + 2].n_evidence = 1;
    f->cells[0 * 4 + 2].evidence = &f->evidence[1];

    f->matrix =
        (struct sm_matrix){ f->catalog, SM_FIX_ITEMS, SM_FIX_GUIDELINES, f->guidelines, f->cells };

    static const bool common[SM_FIX_ITEMS] = { true, true, true, false, true, false };
    static const int reference[SM_FIX_ITEMS] = { 2, 1, 1, 0, 1, 0 };
    static const double mean[SM_FIX_ITEMS] = { 1.75, 1.0, 1.0, 0.25, 0.5, 0.0 };
    static const size_t written[SM_FIX_ITEMS] = { 4, 3, 2, 1, 2, 0 };
    memcpy(f->common, common, sizeof common);
    memcpy(f->reference, reference, sizeof reference);
    memcpy(f->mean, mean, sizeof mean);
    memcpy(f->written, written, sizeof written);
    f->judgement.criterion =
        (struct sm_criterion){ .kind = SM_CRIT_SHARE, .share = 0.5, .min_score = 1 };
    f->judgement.n_items = SM_FIX_ITEMS;
    f->judgement.common = f->common;
    f->judgement.reference = f->reference;
    f->judgement.mean = f->mean;
    f->judgement.written = f->written;
    f->judgement.n_common = SM_FIX_COMMON;

    f->report = (struct sm_report){ f->catalog, &f->matrix, &f->judgement, "2026-02-20" };
    return 0;
}

void sm_fix_release(struct sm_fix *f)
{
    sm_catalog_free(f->catalog);
    f->catalog = NULL;
}

char *sm_fix_tmpdir(char *buf, size_t size)
{
    const char *base = getenv("TMPDIR");
    if (!base || !base[0])
        base = "/tmp";
    if ((size_t)snprintf(buf, size, "%s/smesec-export-XXXXXX", base) >= size)
        return NULL;
    return mkdtemp(buf);
}

void sm_fix_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (unlink(path) != 0)
                sm_fix_rmdir(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

char *sm_fix_read(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (n < cap)
            break;
        char *more = realloc(buf, cap * 2 + 1);
        if (!more) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = more;
        cap *= 2;
    }
    fclose(fp);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

size_t sm_fix_count(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = hay; k && (p = strstr(p, needle)) != NULL; p += k)
        n++;
    return n;
}

size_t sm_fix_dir_entries(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

int sm_fix_run(const char *const argv[])
{
    pid_t pid;
    /* posix_spawnp takes char *const argv[]; it does not write to them. */
    char *args[16];
    size_t n = 0;
    bool oom = false;
    while (argv[n] && n + 1 < sizeof args / sizeof args[0]) {
        args[n] = strdup(argv[n]);
        oom |= args[n] == NULL;
        n++;
    }
    args[n] = NULL;
    int rc = n == 0 || oom ? -1 : posix_spawnp(&pid, args[0], NULL, NULL, args, environ);
    for (size_t k = 0; k < n; k++)
        free(args[k]);
    if (rc != 0)
        return 127;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return -1;
}

bool sm_fix_have(const char *program)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    while (*path) {
        size_t len = strcspn(path, ":");
        char full[4096];
        if (len > 0 &&
            (size_t)snprintf(full, sizeof full, "%.*s/%s", (int)len, path, program) < sizeof full &&
            access(full, X_OK) == 0)
            return true;
        path += len;
        if (*path == ':')
            path++;
    }
    return false;
}
