/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HAVEN_TYPE_REMOVAL_ITEM_ROW (haven_removal_item_row_get_type ())

G_DECLARE_FINAL_TYPE (HavenRemovalItemRow, haven_removal_item_row, HAVEN, REMOVAL_ITEM_ROW, AdwBin)

GtkWidget  *haven_removal_item_row_new             (const char          *url,
                                                    const char          *description);
const char *haven_removal_item_row_get_url         (HavenRemovalItemRow *self);
const char *haven_removal_item_row_get_description (HavenRemovalItemRow *self);
void        haven_removal_item_row_set_removable   (HavenRemovalItemRow *self,
                                                    gboolean             removable);
void        haven_removal_item_row_show_errors     (HavenRemovalItemRow *self,
                                                    const char          *url_error,
                                                    const char          *description_error);
GtkWidget  *haven_removal_item_row_get_first_error (HavenRemovalItemRow *self);
GtkWidget  *haven_removal_item_row_get_url_entry   (HavenRemovalItemRow *self);
GtkWidget  *haven_removal_item_row_get_description_entry (HavenRemovalItemRow *self);

G_END_DECLS
