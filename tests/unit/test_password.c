/* Unit tests: password rules, Argon2id hashing, tokens, role names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/smesec.h"

#include <string.h>

static void hash_and_verify(void **state)
{
    (void)state;
    char hash[SM_PASSWORD_HASH_SIZE];
    assert_int_equal(sm_password_hash("correct horse", hash, NULL), SM_OK);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_int_equal(sm_password_verify(hash, "correct horse"), SM_OK);
    assert_int_equal(sm_password_verify(hash, "correct horse "), SM_EAUTH);
    assert_int_equal(sm_password_verify(hash, ""), SM_EAUTH);
    assert_int_equal(sm_password_verify(NULL, "x"), SM_EAUTH);
    /* Salted: the same password hashes differently each time. */
    char again[SM_PASSWORD_HASH_SIZE];
    assert_int_equal(sm_password_hash("correct horse", again, NULL), SM_OK);
    assert_string_not_equal(hash, again);
}

static void password_rules(void **state)
{
    (void)state;
    struct sm_diag d;
    assert_int_equal(sm_password_check("short", &d), SM_EINVAL);
    assert_non_null(strstr(d.msg, "too short"));
    char longpw[SM_PASSWORD_MAX + 2];
    memset(longpw, 'a', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    assert_int_equal(sm_password_check(longpw, &d), SM_EINVAL);
    assert_int_equal(sm_password_check("abcdefg\xff", &d), SM_EINVAL);
    assert_non_null(strstr(d.msg, "UTF-8"));
    assert_int_equal(sm_password_check("パスワード長め", &d), SM_OK);
}

static void tokens_are_random_and_compare_safely(void **state)
{
    (void)state;
    char a[SM_TOKEN_SIZE], b[SM_TOKEN_SIZE];
    sm_token_new(a);
    sm_token_new(b);
    assert_int_equal(strlen(a), SM_TOKEN_SIZE - 1);
    assert_string_not_equal(a, b);
    for (size_t i = 0; a[i]; i++) {
        char c = a[i];
        assert_true((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_');
    }
    assert_true(sm_token_equal(a, a));
    assert_false(sm_token_equal(a, b));
    assert_false(sm_token_equal(a, NULL));
    assert_false(sm_token_equal("", ""));
    assert_false(sm_token_equal("abc", "abcd"));
}

static void roles_and_usernames(void **state)
{
    (void)state;
    enum sm_role r;
    assert_int_equal(sm_role_parse("operator", &r), SM_OK);
    assert_int_equal(r, SM_ROLE_OPERATOR);
    assert_int_equal(sm_role_parse("analyst", &r), SM_OK);
    assert_string_equal(sm_role_name(r), "analyst");
    assert_int_equal(sm_role_parse("root", &r), SM_EINVAL);
    assert_int_equal(sm_username_check("alice.b-c_1", NULL), SM_OK);
    assert_int_equal(sm_username_check("", NULL), SM_EINVAL);
    assert_int_equal(sm_username_check("Alice", NULL), SM_EINVAL);
    assert_int_equal(sm_username_check("a b", NULL), SM_EINVAL);
    assert_int_equal(sm_username_check("ユーザー", NULL), SM_EINVAL);
}

int main(void)
{
    if (sm_init() != SM_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_and_verify),
        cmocka_unit_test(password_rules),
        cmocka_unit_test(tokens_are_random_and_compare_safely),
        cmocka_unit_test(roles_and_usernames),
    };
    return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
