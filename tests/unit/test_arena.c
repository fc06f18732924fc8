/* Unit tests: the arena allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "smesec/alloc.h"
#include "smesec/arena.h"

#include <stdalign.h>
#include <string.h>

static void allocations_are_aligned_and_distinct(void **state)
{
    (void)state;
    struct sm_arena a;
    sm_arena_init(&a, 1 << 24);
    char *prev = NULL;
    for (size_t i = 1; i < 3000; i += 7) {
        char *p = sm_arena_alloc(&a, i);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, 'x', i); /* ASan would catch an overlap or overflow */
        assert_true(p != prev);
        prev = p;
    }
    char *big = sm_arena_alloc(&a, 3 << 20); /* larger than any chunk */
    assert_non_null(big);
    memset(big, 0, 3 << 20);
    sm_arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
}

static void strings_and_calloc(void **state)
{
    (void)state;
    struct sm_arena a;
    sm_arena_init(&a, 1 << 20);
    assert_string_equal(sm_arena_strdup(&a, "日本語"), "日本語");
    assert_string_equal(sm_arena_strndup(&a, "abcdef", 3), "abc");
    assert_null(sm_arena_strdup(&a, NULL));
    int *z = sm_arena_calloc(&a, 100, sizeof *z);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    assert_null(sm_arena_calloc(&a, SIZE_MAX / 2, 4));
    sm_arena_release(&a);
}

static void maximum_and_out_of_memory(void **state)
{
    (void)state;
    struct sm_arena a;
    sm_arena_init(&a, 256);
    assert_non_null(sm_arena_alloc(&a, 200));
    assert_null(sm_arena_alloc(&a, 100));
    sm_arena_release(&a);

    sm_arena_init(&a, 1 << 20);
    sm_alloc_fail_after(0);
    void *p = sm_arena_alloc(&a, 10);
    sm_alloc_fail_after(-1);
    assert_null(p);
    assert_int_equal(a.used, 0);
    sm_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_aligned_and_distinct),
        cmocka_unit_test(strings_and_calloc),
        cmocka_unit_test(maximum_and_out_of_memory),
    };
    return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
