/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-key-vault.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_SETUP_PAGE (haven_desk_setup_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskSetupPage, haven_desk_setup_page, HAVEN, DESK_SETUP_PAGE, AdwBin)

/* The first run: makes or imports the organisation's key, locks it with
 * the caseworker's passphrase, and shows the public key for the kiosks.
 * Emits "done" once the caseworker has seen it. */
void haven_desk_setup_page_set_vault (HavenDeskSetupPage *self,
                                      HavenKeyVault      *vault);

G_END_DECLS
