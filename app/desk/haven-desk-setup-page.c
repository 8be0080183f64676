/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-accessible.h"
#include "haven-desk-setup-page.h"

struct _HavenDeskSetupPage
{
  AdwBin parent_instance;

  GtkStack *steps;
  GtkCheckButton *import_choice;
  AdwPasswordEntryRow *secret_key_row;
  AdwPasswordEntryRow *passphrase_row;
  AdwPasswordEntryRow *confirm_row;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  GtkButton *create_button;
  GtkLabel *public_key_label;

  HavenKeyVault *vault;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HavenDeskSetupPage, haven_desk_setup_page, ADW_TYPE_BIN)

enum {
  SIGNAL_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (HavenDeskSetupPage *self,
            const char         *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (HavenDeskSetupPage *self,
          gboolean            busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), !busy);
}

static void
clear_entries (HavenDeskSetupPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->secret_key_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HavenDeskSetupPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *public_key = NULL;

  if (!haven_key_vault_create_finish (HAVEN_KEY_VAULT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }

  set_busy (self, FALSE);
  clear_entries (self);
  public_key = haven_key_vault_dup_public_key (self->vault);
  gtk_label_set_text (self->public_key_label, public_key);
  gtk_stack_set_visible_child_name (self->steps, "done");
}

static void
create_clicked_cb (HavenDeskSetupPage *self)
{
  const char *passphrase = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
  const char *again = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  const char *secret_key = NULL;

  if (g_strcmp0 (passphrase, again) != 0)
    {
      show_error (self, _("The two passphrases are not the same. Type them again."));
      return;
    }
  if (gtk_check_button_get_active (self->import_choice))
    {
      secret_key = gtk_editable_get_text (GTK_EDITABLE (self->secret_key_row));
      if (secret_key[0] == '\0')
        {
          show_error (self, _("Paste the organisation’s secret key, or choose to create a new key."));
          return;
        }
    }

  show_error (self, NULL);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  haven_key_vault_create_async (self->vault, passphrase, secret_key, self->cancellable,
                                created_cb, g_object_ref (self));
}

static void
continue_clicked_cb (HavenDeskSetupPage *self)
{
  gtk_label_set_text (self->public_key_label, "");
  gtk_stack_set_visible_child_name (self->steps, "form");
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

static void
haven_desk_setup_page_dispose (GObject *object)
{
  HavenDeskSetupPage *self = HAVEN_DESK_SETUP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->vault);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_SETUP_PAGE);

  G_OBJECT_CLASS (haven_desk_setup_page_parent_class)->dispose (object);
}

static void
haven_desk_setup_page_class_init (HavenDeskSetupPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_desk_setup_page_dispose;

  signals[SIGNAL_DONE] = g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/haven-desk-setup-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, steps);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, import_choice);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, secret_key_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSetupPage, public_key_label);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, continue_clicked_cb);
}

static void
haven_desk_setup_page_init (HavenDeskSetupPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  haven_desk_accessible_name_peek_button (self->secret_key_row);
  haven_desk_accessible_name_peek_button (self->passphrase_row);
  haven_desk_accessible_name_peek_button (self->confirm_row);
}

void
haven_desk_setup_page_set_vault (HavenDeskSetupPage *self,
                                 HavenKeyVault      *vault)
{
  g_return_if_fail (HAVEN_IS_DESK_SETUP_PAGE (self));
  g_set_object (&self->vault, vault);
}
