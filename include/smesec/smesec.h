/*
 * libsmesec: the core of smesec, the SC3 SME cybersecurity programmes in one program.
 * This umbrella header includes every public part.
 */
#ifndef SMESEC_SMESEC_H
#define SMESEC_SMESEC_H

#include "smesec/alloc.h"
#include "smesec/arena.h"
#include "smesec/audit.h"
#include "smesec/auth.h"
#include "smesec/buf.h"
#include "smesec/catalog.h"
#include "smesec/commonref.h"
#include "smesec/commons.h"
#include "smesec/csv.h"
#include "smesec/date.h"
#include "smesec/drafting.h"
#include "smesec/embed.h"
#include "smesec/err.h"
#include "smesec/export.h"
#include "smesec/geo.h"
#include "smesec/guideline.h"
#include "smesec/i18n.h"
#include "smesec/jobs.h"
#include "smesec/registry.h"
#include "smesec/seed.h"
#include "smesec/selfcheck.h"
#include "smesec/service.h"
#include "smesec/sharing.h"
#include "smesec/standard.h"
#include "smesec/store.h"
#include "smesec/text.h"
#include "smesec/tmpl.h"
#include "smesec/utf8.h"

/* Initialises the library once per process, before threads start: libsodium, and jansson's
 * allocator routed through sm_malloc (so allocation-failure tests reach JSON too). Returns
 * SM_OK or SM_EUNSUPPORTED when libsodium cannot start. */
int sm_init(void);

/* The library version, "MAJOR.MINOR.PATCH". Static. */
const char *sm_version(void);

#endif
