/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "haven-case-client.h"
#include "haven-content.h"

G_BEGIN_DECLS

#define HAVEN_TYPE_DESK_INBOX_PAGE (haven_desk_inbox_page_get_type ())

G_DECLARE_FINAL_TYPE (HavenDeskInboxPage, haven_desk_inbox_page, HAVEN, DESK_INBOX_PAGE, AdwBin)

/* The cases, a child or intimate images first, then newest first, with
 * filters; emits "case-activated" (HavenCaseInfo) for the one opened.
 * NULL forgets the list. */
void        haven_desk_inbox_page_set_client  (HavenDeskInboxPage *self,
                                               HavenCaseClient    *client);
void        haven_desk_inbox_page_set_content (HavenDeskInboxPage *self,
                                               HavenContent       *content);
void        haven_desk_inbox_page_refresh     (HavenDeskInboxPage *self);
/* The cases no caseworker has taken yet (property "n-new"). */
guint       haven_desk_inbox_page_get_n_new   (HavenDeskInboxPage *self);
/* Every case known, in inbox order, filters aside: (element-type HavenCaseInfo). */
GListModel *haven_desk_inbox_page_get_cases   (HavenDeskInboxPage *self);
/* Whether a list has arrived since the client was set (property "loaded"). */
gboolean    haven_desk_inbox_page_is_loaded   (HavenDeskInboxPage *self);

G_END_DECLS
