/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-desk-application.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_WINDOW (haven_desk_window_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskWindow, haven_desk_window, HAVEN, DESK_WINDOW, AdwApplicationWindow)

HavenDeskWindow *haven_desk_window_new              (HavenDeskApplication *application);
/* Wipes the key and every opened case, clears the clipboards and asks
 * for the passphrase again (the action win.lock). */
void             haven_desk_window_lock             (HavenDeskWindow      *self);
/* "setup", "unlock", "sign-in", "main" or "case". */
const char      *haven_desk_window_get_page_name    (HavenDeskWindow      *self);
GtkWidget       *haven_desk_window_get_visible_page (HavenDeskWindow      *self);
/* "inbox" or "fleet", on the main page. */
void             haven_desk_window_show_view        (HavenDeskWindow      *self,
                                                     const char           *view);
/* Locks as the idle timer would when nothing happened for @seconds: for
 * tests, which cannot wait minutes. */
void             haven_desk_window_set_idle_limit   (HavenDeskWindow      *self,
                                                     guint                 seconds);

G_END_DECLS
