/*
 * Replays fuzz inputs without libFuzzer. Each argument is a file or a folder; every regular
 * file named (or found directly inside a named folder) is read whole and passed once to the
 * target's LLVMFuzzerTestOneInput. Linked in place of libFuzzer's main when SM_FUZZ is off,
 * so the committed corpora run as ordinary tests on any compiler, with or without sanitizers.
 * A target that misbehaves aborts or trips a sanitizer; this driver only fails on input it
 * cannot read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not fuzz seeds; refuse rather than allocate without bound. */
#define REPLAY_MAX_INPUT (16 * 1024 * 1024)

static int replay_file(const char *path)
{
    int rc = 1;
    uint8_t *data = NULL;
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) != 0) {
        fprintf(stderr, "replay: cannot open '%s': %s\n", path, strerror(errno));
        goto out;
    }
    if (st.st_size > REPLAY_MAX_INPUT) {
        fprintf(stderr, "replay: '%s' is larger than %d bytes\n", path, REPLAY_MAX_INPUT);
        goto out;
    }
    /* Exactly the input's size, as libFuzzer does, so an overread past the end is caught by
     * the sanitizers. */
    size_t size = (size_t)st.st_size;
    data = malloc(size ? size : 1);
    if (!data) {
        fprintf(stderr, "replay: out of memory for '%s'\n", path);
        goto out;
    }
    if (fread(data, 1, size, f) != size) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        goto out;
    }
    LLVMFuzzerTestOneInput(data, size);
    rc = 0;
out:
    free(data);
    if (f)
        fclose(f);
    return rc;
}

static int join_path(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n >= 0 && (size_t)n < cap ? 0 : -1;
}

static int replay_dir(const char *path, int *count)
{
    int rc = 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open folder '%s': %s\n", path, strerror(errno));
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char child[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        if (join_path(child, sizeof child, path, e->d_name) != 0) {
            fprintf(stderr, "replay: path too long in '%s'\n", path);
            rc = 1;
            continue;
        }
        if (stat(child, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (replay_file(child) != 0)
            rc = 1;
        else
            (*count)++;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    int count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot open '%s': %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            rc |= replay_dir(argv[i], &count);
        } else if (replay_file(argv[i]) != 0) {
            rc = 1;
        } else {
            count++;
        }
    }
    printf("replay: %d inputs\n", count);
    return rc;
}
