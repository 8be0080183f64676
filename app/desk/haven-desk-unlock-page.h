/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-key-vault.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_UNLOCK_PAGE (haven_desk_unlock_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskUnlockPage, haven_desk_unlock_page, HAVEN, DESK_UNLOCK_PAGE, AdwBin)

/* Asks for the passphrase; emits "unlocked" once the key is open. */
void haven_desk_unlock_page_set_vault (HavenDeskUnlockPage *self,
                                       HavenKeyVault       *vault);
/* Forgets what was typed and any error. */
void haven_desk_unlock_page_reset     (HavenDeskUnlockPage *self);

G_END_DECLS
