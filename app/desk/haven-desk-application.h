/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-case-client.h"
#include "haven-content.h"
#include "haven-key-vault.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_APPLICATION (haven_desk_application_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskApplication, haven_desk_application, HAVEN, DESK_APPLICATION,
                      AdwApplication)

HavenDeskApplication *haven_desk_application_new          (void);
/* For tests: another settings backend (a keyfile) than dconf, and no
 * application id. */
HavenDeskApplication *haven_desk_application_new_with_settings (GSettings *settings);
GSettings            *haven_desk_application_get_settings (HavenDeskApplication *self);
HavenKeyVault        *haven_desk_application_get_vault    (HavenDeskApplication *self);
/* NULL when the shipped content cannot be read: answers then show by
 * their ids. */
HavenContent         *haven_desk_application_get_content  (HavenDeskApplication *self);

G_END_DECLS
