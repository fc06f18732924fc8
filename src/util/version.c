/* Library initialisation, and the version set by CMake from the project version. */
#include "smesec/smesec.h"

#include "util/banned.h"

int sm_init(void)
{
    json_set_alloc_funcs(sm_malloc, sm_free);
    return sm_auth_init();
}

const char *sm_version(void)
{
    return SM_VERSION;
}
