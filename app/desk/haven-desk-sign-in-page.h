/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-case-client.h"
#include "haven-key-vault.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_SIGN_IN_PAGE (haven_desk_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskSignInPage, haven_desk_sign_in_page, HAVEN, DESK_SIGN_IN_PAGE, AdwBin)

/* Connects to the intake service with the caseworker's own credential,
 * checked as `havenctl backend check` checks a kiosk's (TLS, CA, pins),
 * and emits "signed-in" with the client. */
void haven_desk_sign_in_page_set_up (HavenDeskSignInPage *self,
                                     GSettings           *settings,
                                     HavenKeyVault       *vault);
/* @automatic: sign in at once with the token the key file keeps (or the
 * token file or certificate the settings name), when there is one;
 * otherwise, or when it fails, wait for the form. */
void haven_desk_sign_in_page_start  (HavenDeskSignInPage *self,
                                     gboolean             automatic);
void haven_desk_sign_in_page_reset  (HavenDeskSignInPage *self);

G_END_DECLS
