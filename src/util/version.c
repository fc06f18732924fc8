/* The library version, set by CMake from the project version. */
#include "smesec/smesec.h"

#include "util/banned.h"

const char *sm_version(void)
{
    return SM_VERSION;
}
