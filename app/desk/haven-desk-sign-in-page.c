/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-accessible.h"
#include "haven-desk-sign-in-page.h"
#include "haven-wipe.h"

struct _HavenDeskSignInPage
{
  AdwBin parent_instance;

  AdwEntryRow *address_row;
  AdwPasswordEntryRow *token_row;
  GtkLabel *status_label;
  GtkSpinner *spinner;
  GtkButton *sign_in_button;

  GSettings *settings;
  HavenKeyVault *vault;
  GCancellable *cancellable;
  /* The token typed into the form, kept in the vault once it works. */
  char *typed_token;
};

G_DEFINE_FINAL_TYPE (HavenDeskSignInPage, haven_desk_sign_in_page, ADW_TYPE_BIN)

enum {
  SIGNAL_SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_status (HavenDeskSignInPage *self,
             const char          *message,
             gboolean             is_error)
{
  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
set_busy (HavenDeskSignInPage *self,
          gboolean             busy)
{
  /* The rows stay sensitive: one with the focus made insensitive never
   * hears it lost the focus, and its cursor blinks on. */
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->token_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->address_row),
                             !busy && g_settings_is_writable (self->settings, "backend-url"));
}

static void
token_kept_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!haven_key_vault_set_token_finish (HAVEN_KEY_VAULT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The token cannot be kept in the key file: %s", error->message);
}

static void
signed_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HavenDeskSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  HavenCaseClient *client = HAVEN_CASE_CLIENT (source);

  if (!haven_case_client_sign_in_finish (client, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      haven_wipe_clear_string (&self->typed_token);
      show_status (self, error->message, TRUE);
      return;
    }

  if (self->typed_token != NULL && haven_key_vault_is_unlocked (self->vault))
    haven_key_vault_set_token_async (self->vault, self->typed_token, NULL, token_kept_cb, NULL);
  haven_desk_sign_in_page_reset (self);
  g_signal_emit (self, signals[SIGNAL_SIGNED_IN], 0, client);
}

static gboolean
has_credential (HavenDeskSignInPage *self)
{
  g_autofree char *token_file = g_settings_get_string (self->settings, "token-file");
  g_autofree char *certificate_file = g_settings_get_string (self->settings, "client-certificate-file");

  return self->typed_token != NULL || haven_key_vault_get_token (self->vault) != NULL ||
         token_file[0] != '\0' || certificate_file[0] != '\0';
}

static void
sign_in (HavenDeskSignInPage *self)
{
  g_autoptr(HavenBackend) backend = NULL;
  g_autoptr(HavenCaseClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  backend = haven_backend_new_from_settings (self->settings, &error);
  if (backend == NULL)
    {
      haven_wipe_clear_string (&self->typed_token);
      show_status (self, error->message, TRUE);
      return;
    }
  if (self->typed_token != NULL)
    haven_backend_set_token (backend, self->typed_token);
  else if (haven_key_vault_get_token (self->vault) != NULL)
    haven_backend_set_token (backend, haven_key_vault_get_token (self->vault));

  /* Translators: %s is the intake service's address. */
  message = g_strdup_printf (_("Connecting to %s…"), haven_backend_get_base_url (backend));
  show_status (self, message, FALSE);
  set_busy (self, TRUE);

  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  client = haven_case_client_new (backend);
  haven_case_client_sign_in_async (client, self->cancellable, signed_in_cb, g_object_ref (self));
}

static void
sign_in_clicked_cb (HavenDeskSignInPage *self)
{
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  const char *token = gtk_editable_get_text (GTK_EDITABLE (self->token_row));
  g_autofree char *current = NULL;
  g_autofree char *stripped = NULL;

  /* Enter in the token row while a sign-in is under way. */
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->sign_in_button)))
    return;

  current = g_settings_get_string (self->settings, "backend-url");
  stripped = g_strstrip (g_strdup (address));

  if (g_settings_is_writable (self->settings, "backend-url") && g_strcmp0 (stripped, current) != 0)
    g_settings_set_string (self->settings, "backend-url", stripped);

  haven_wipe_clear_string (&self->typed_token);
  if (token[0] != '\0')
    self->typed_token = g_strstrip (g_strdup (token));
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");

  if (!has_credential (self))
    {
      show_status (self, _("Type your caseworker token."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
      return;
    }
  sign_in (self);
}

static void
haven_desk_sign_in_page_dispose (GObject *object)
{
  HavenDeskSignInPage *self = HAVEN_DESK_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->vault);
  haven_wipe_clear_string (&self->typed_token);
  gtk_widget_dispose_template (GTK_WIDGET (self), HAVEN_TYPE_DESK_SIGN_IN_PAGE);

  G_OBJECT_CLASS (haven_desk_sign_in_page_parent_class)->dispose (object);
}

static void
haven_desk_sign_in_page_class_init (HavenDeskSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_desk_sign_in_page_dispose;

  signals[SIGNAL_SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, HAVEN_TYPE_CASE_CLIENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/Desk/haven-desk-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSignInPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSignInPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSignInPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, HavenDeskSignInPage, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);
}

static void
haven_desk_sign_in_page_init (HavenDeskSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  haven_desk_accessible_name_peek_button (self->token_row);
}

void
haven_desk_sign_in_page_set_up (HavenDeskSignInPage *self,
                                GSettings           *settings,
                                HavenKeyVault       *vault)
{
  g_return_if_fail (HAVEN_IS_DESK_SIGN_IN_PAGE (self));

  g_set_object (&self->settings, settings);
  g_set_object (&self->vault, vault);
}

void
haven_desk_sign_in_page_start (HavenDeskSignInPage *self,
                               gboolean             automatic)
{
  g_autofree char *address = NULL;

  g_return_if_fail (HAVEN_IS_DESK_SIGN_IN_PAGE (self));

  address = g_settings_get_string (self->settings, "backend-url");
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), address);
  set_busy (self, FALSE);
  show_status (self, NULL, FALSE);

  if (automatic && address[0] != '\0' && has_credential (self))
    sign_in (self);
  else
    gtk_widget_grab_focus (address[0] == '\0' ? GTK_WIDGET (self->address_row)
                                              : GTK_WIDGET (self->token_row));
}

void
haven_desk_sign_in_page_reset (HavenDeskSignInPage *self)
{
  g_return_if_fail (HAVEN_IS_DESK_SIGN_IN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  haven_wipe_clear_string (&self->typed_token);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), TRUE);
  gtk_editable_set_editable (GTK_EDITABLE (self->token_row), TRUE);
  show_status (self, NULL, FALSE);
}
