/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-accessible.h"
#include "haven-desk-unlock-page.h"

struct _HavenDeskUnlockPage
{
  AdwBin parent_instance;

  AdwPasswordEntryRow *passphrase_row;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  GtkButton *unlock_button;

  HavenKeyVault *vault;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HavenDeskUnlockPage, haven_desk_unlock_page, ADW_TYPE_BIN)

enum {
  SIGNAL_UNLOCKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_busy (HavenDeskUnlockPage *self,
          gboolean             busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->unlock_button), !busy);
  /* Not insensitive: a row with the focus made insensitive never hears
   * it lost the focus. */
  gtk_editable_set_editable (GTK_EDITABLE (self->passphrase_row), !busy);
}

static void
unlocked_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(HavenDeskUnlockPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!haven_key_vault_unlock_finish (HAVEN_KEY_VAULT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
      return;
    }

  haven_desk_unlock_page_reset (self);
  g_signal_emit (self, signals[SIGNAL_UNLOCKED], 0);
}

static void
unlock_clicked_cb (HavenDeskUnlockPage *self)
{
  const char *passphrase = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));

  if (passphrase[0] == '\0' || gtk_spinner_get_spinning (self->spinner))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  haven_key_vault_unlock_async (self->vault, passphrase, self->cancellable, unlocked_cb,
                                g_object_ref (self));
  /* The vault has its own copy in guarded memory. */
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
}

/* The page asks for one thing: the passphrase field has the keyboard as
 * soon as the page shows, on start and after each lock, so that the
 * caseworker can type at once, without a pointer or a Tab first. */
static void
haven_desk_unlock_page_map (GtkWidget *widget)
{
  HavenDeskUnlockPage *self = HAVEN_DESK_UNLOCK_PAGE (widget);

  GTK_WIDGET_CLASS (haven_desk_unlock_page_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
}

static void
haven_desk_unlock_page_dispose (GObject *object)
{
  HavenDeskUnlockPage *self = HAVEN_DESK_UNLOCK_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->vault);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_UNLOCK_PAGE);

  G_OBJECT_CLASS (haven_desk_unlock_page_parent_class)->dispose (object);
}

static void
haven_desk_unlock_page_class_init (HavenDeskUnlockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_desk_unlock_page_dispose;
  widget_class->map = haven_desk_unlock_page_map;

  signals[SIGNAL_UNLOCKED] = g_signal_new ("unlocked", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/haven-desk-unlock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskUnlockPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskUnlockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskUnlockPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskUnlockPage, unlock_button);
  gtk_widget_class_bind_template_callback (widget_class, unlock_clicked_cb);
}

static void
haven_desk_unlock_page_init (HavenDeskUnlockPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  haven_desk_accessible_name_peek_button (self->passphrase_row);
}

void
haven_desk_unlock_page_set_vault (HavenDeskUnlockPage *self,
                                  HavenKeyVault       *vault)
{
  g_return_if_fail (HAVEN_IS_DESK_UNLOCK_PAGE (self));
  g_set_object (&self->vault, vault);
}

void
haven_desk_unlock_page_reset (HavenDeskUnlockPage *self)
{
  g_return_if_fail (HAVEN_IS_DESK_UNLOCK_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}
