/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "haven-case-info.h"
#include "haven-key-vault.h"
#include "haven-request.h"

G_BEGIN_DECLS

/* What the casework tests share: a desk's key in a folder of its own,
 * requests as a kiosk makes them, and the intake service's metadata for
 * them. */

#define CASEWORK_KIOSK "station-12-lobby"
#define CASEWORK_REFERENCE "HV-7KQ2-M9XD"

/* Created with the lowest Argon2id cost, unlocked. */
HavenKeyVault *casework_make_vault      (char          **folder);
/* Confirmed, valid: one item (intimate-images, "es"), contact with
 * consent. */
HavenRequest  *casework_make_removal    (void);
/* Confirmed, valid: fraud, "en", answers, losses, evidence, no consent. */
HavenRequest  *casework_make_report     (void);
/* A case of the caseworker API for @request, as GET /v1/cases/REF gives
 * it, without events; change members before making the info. */
JsonObject    *casework_info_object     (HavenRequest   *request,
                                         gboolean        sealed);
HavenCaseInfo *casework_info_new        (JsonObject     *object);
void           casework_add_event       (JsonObject     *object,
                                         const char     *json);
/* @request as JSON, sealed to @vault's public key; *json_out the JSON. */
GBytes        *casework_seal_request    (HavenKeyVault  *vault,
                                         HavenRequest   *request,
                                         char          **json_out);
/* Base64 of @text sealed to @vault's key, as a note event carries it. */
char          *casework_seal_note       (HavenKeyVault  *vault,
                                         const char     *text);

G_END_DECLS
