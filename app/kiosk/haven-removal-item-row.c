/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-removal-item-row"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-bidi.h"
#include "haven-page.h"
#include "haven-removal-item-row.h"
#include "haven-request.h"

/* One address of content to be taken down: the web address, the website it
 * is on (shown from the address, so the visitor sees it was understood),
 * and a few words on what it shows. Emits ::changed as the visitor types
 * and ::remove-requested for its remove button. */
struct _HavenRemovalItemRow
{
  AdwBin parent_instance;

  GtkEntry *url_entry;
  GtkLabel *url_error;
  GtkLabel *platform_label;
  GtkEntry *description_entry;
  GtkLabel *description_error;
  GtkButton *remove_button;
};

G_DEFINE_FINAL_TYPE (HavenRemovalItemRow, haven_removal_item_row, ADW_TYPE_BIN)

enum {
  CHANGED,
  REMOVE_REQUESTED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

static void
update_platform (HavenRemovalItemRow *self)
{
  g_autofree char *platform = haven_request_platform_for_url (gtk_editable_get_text (GTK_EDITABLE (self->url_entry)));
  g_autofree char *isolated = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->platform_label), platform != NULL);
  if (platform == NULL)
    return;

  isolated = haven_bidi_isolate_ltr (platform);
  /* Translators: %s is a website's name taken from the address the
   * visitor typed, like example.social. */
  text = g_strdup_printf (_("On: %s"), isolated);
  gtk_label_set_label (self->platform_label, text);
}

static void
url_changed_cb (HavenRemovalItemRow *self)
{
  update_platform (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
description_changed_cb (HavenRemovalItemRow *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
remove_clicked_cb (HavenRemovalItemRow *self)
{
  g_signal_emit (self, signals[REMOVE_REQUESTED], 0);
}

static void
haven_removal_item_row_class_init (HavenRemovalItemRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[REMOVE_REQUESTED] =
    g_signal_new ("remove-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-removal-item-row.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemRow, url_entry);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemRow, url_error);
  gtk_widget_class_bind_template_child_full (widget_class, "url_hint", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemRow, platform_label);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemRow, description_entry);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemRow, description_error);
  gtk_widget_class_bind_template_child (widget_class, HavenRemovalItemRow, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, url_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, description_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
haven_removal_item_row_init (HavenRemovalItemRow *self)
{
  GtkLabel *url_hint;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The hint's "https://" reads left to right in right-to-left text. */
  url_hint = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (self), HAVEN_TYPE_REMOVAL_ITEM_ROW,
                                                       "url_hint"));
  haven_page_set_label_text (url_hint, gtk_label_get_label (url_hint));

  /* GtkBuilder takes one object a relation; the field has two. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->url_entry),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  url_hint,
                                  self->url_error, NULL,
                                  -1);
}

GtkWidget *
haven_removal_item_row_new (const char *url,
                            const char *description)
{
  HavenRemovalItemRow *self = g_object_new (HAVEN_TYPE_REMOVAL_ITEM_ROW, NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->url_entry), url != NULL ? url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->description_entry),
                         description != NULL ? description : "");

  return GTK_WIDGET (self);
}

const char *
haven_removal_item_row_get_url (HavenRemovalItemRow *self)
{
  g_return_val_if_fail (HAVEN_IS_REMOVAL_ITEM_ROW (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->url_entry));
}

const char *
haven_removal_item_row_get_description (HavenRemovalItemRow *self)
{
  g_return_val_if_fail (HAVEN_IS_REMOVAL_ITEM_ROW (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->description_entry));
}

void
haven_removal_item_row_set_removable (HavenRemovalItemRow *self,
                                      gboolean             removable)
{
  g_return_if_fail (HAVEN_IS_REMOVAL_ITEM_ROW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->remove_button), removable);
}

/**
 * haven_removal_item_row_show_errors:
 * @url_error: (nullable): what to do about the address, or %NULL
 * @description_error: (nullable): what to do about the description, or %NULL
 */
void
haven_removal_item_row_show_errors (HavenRemovalItemRow *self,
                                    const char          *url_error,
                                    const char          *description_error)
{
  g_return_if_fail (HAVEN_IS_REMOVAL_ITEM_ROW (self));

  haven_page_show_field_error (self->url_error, GTK_WIDGET (self->url_entry), url_error);
  haven_page_show_field_error (self->description_error, GTK_WIDGET (self->description_entry),
                               description_error);
}

/**
 * haven_removal_item_row_get_first_error:
 *
 * Returns: (transfer none) (nullable): the first field with an error shown
 */
GtkWidget *
haven_removal_item_row_get_first_error (HavenRemovalItemRow *self)
{
  g_return_val_if_fail (HAVEN_IS_REMOVAL_ITEM_ROW (self), NULL);

  if (gtk_widget_get_visible (GTK_WIDGET (self->url_error)))
    return GTK_WIDGET (self->url_entry);
  if (gtk_widget_get_visible (GTK_WIDGET (self->description_error)))
    return GTK_WIDGET (self->description_entry);

  return NULL;
}

GtkWidget *
haven_removal_item_row_get_url_entry (HavenRemovalItemRow *self)
{
  g_return_val_if_fail (HAVEN_IS_REMOVAL_ITEM_ROW (self), NULL);

  return GTK_WIDGET (self->url_entry);
}

GtkWidget *
haven_removal_item_row_get_description_entry (HavenRemovalItemRow *self)
{
  g_return_val_if_fail (HAVEN_IS_REMOVAL_ITEM_ROW (self), NULL);

  return GTK_WIDGET (self->description_entry);
}
