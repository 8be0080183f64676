/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-operator-screen"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "haven-backend.h"
#include "haven-bidi.h"
#include "haven-bundle-updater.h"
#include "haven-directory.h"
#include "haven-lockdown.h"
#include "haven-operator-screen.h"
#include "haven-outbox.h"

/* The operator's screen, behind a PIN (operator-pin-hash): what is waiting
 * in the outbox and why, whether requests are sealed for the backend (or
 * refused, for want of a key), whether the backend answers, the directory and
 * content in use, the settings the administrator locked; and the means to
 * send queued requests now, reload the directory and leave kiosk mode. It
 * opens only from the welcome page, so no visitor's words are behind it,
 * and it shows none: the outbox is listed without bodies. */
struct _HavenOperatorScreen
{
  AdwBin parent_instance;

  GtkWidget *pin_box;
  GtkPasswordEntry *pin_entry;
  GtkLabel *pin_message;
  GtkWidget *unlock_button;
  GtkWidget *panel;
  GtkLabel *outbox_label;
  GtkLabel *sealing_label;
  GtkLabel *outbox_errors_label;
  GtkWidget *flush_button;
  GtkLabel *backend_label;
  GtkWidget *check_button;
  GtkLabel *directory_label;
  GtkLabel *directory_age_label;
  GtkLabel *content_label;
  GtkLabel *bundle_label;
  GtkLabel *bundle_error_label;
  GtkWidget *bundle_button;
  GtkLabel *locked_label;
  GtkLabel *inspector_label;
  GtkWidget *leave_kiosk_button;

  GSettings *settings;
  HavenContent *content;
  HavenDelivery *delivery;
  HavenPinGuard *pin_guard;
  HavenBundleUpdater *bundle_updater;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (HavenOperatorScreen, haven_operator_screen, ADW_TYPE_BIN)

enum {
  CLOSED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

/* Paths, addresses, versions and dates are left to right inside a
 * right-to-left sentence: isolated, they keep their order. */
static void
set_label (GtkLabel   *label,
           const char *text)
{
  g_autofree char *isolated = text != NULL ? haven_bidi_isolate_runs (text) : NULL;

  gtk_label_set_label (label, isolated != NULL ? isolated : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

/* Outbox */

/* From the settings, as the outbox reads them: the outbox follows them. */
static void
show_sealing (HavenOperatorScreen *self)
{
  g_autofree char *description = NULL;
  HavenOutboxSealing sealing = haven_outbox_sealing_from_settings (self->settings, &description);

  set_label (self->sealing_label, description);
  if (sealing == HAVEN_OUTBOX_SEALING_SEALED)
    gtk_widget_remove_css_class (GTK_WIDGET (self->sealing_label), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->sealing_label), "error");
}

static void
show_outbox (HavenOperatorScreen *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *counts = NULL;
  const char *alert;
  guint queued = 0, sending = 0, failed = 0;

  show_sealing (self);

  if (self->delivery == NULL)
    {
      set_label (self->outbox_label, _("The outbox cannot be opened: see the kiosk’s log."));
      gtk_widget_set_sensitive (self->flush_button, FALSE);
      return;
    }

  entries = haven_outbox_list (haven_delivery_get_outbox (self->delivery), &error);
  if (entries == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The outbox cannot be read: %s"), error->message);

      set_label (self->outbox_label, text);
      return;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      HavenOutboxEntry *entry = g_ptr_array_index (entries, i);

      queued += entry->state == HAVEN_OUTBOX_STATE_QUEUED;
      sending += entry->state == HAVEN_OUTBOX_STATE_SENDING;
      failed += entry->state == HAVEN_OUTBOX_STATE_FAILED;

      /* Operator text, never what a visitor wrote (HavenOutboxEntry). */
      if (entry->state != HAVEN_OUTBOX_STATE_DELIVERED && entry->last_error != NULL &&
          g_hash_table_add (seen, entry->last_error))
        g_string_append_printf (errors, "%s%s", errors->len > 0 ? "\n" : "", entry->last_error);
    }

  /* Translators: the three numbers are counts of requests. */
  counts = g_strdup_printf (_("Waiting: %u · Being sent: %u · Failed, kept for staff: %u"),
                            queued, sending, failed);
  if (failed > 0)
    {
      HavenOutbox *outbox = haven_delivery_get_outbox (self->delivery);
      guint days = (guint) (haven_outbox_get_failed_retention (outbox) / G_TIME_SPAN_DAY);
      g_autofree char *kept = NULL;
      char *both;

      /* Translators: %u is a number of days. "havenctl outbox export-failed"
       * is a command: keep it as it is. */
      kept = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The backend refused the failed ones for good. Each "
                                           "is kept as it was stored for %u day after it failed, "
                                           "then wiped: export them with havenctl outbox "
                                           "export-failed.",
                                           "The backend refused the failed ones for good. Each "
                                           "is kept as it was stored for %u days after it "
                                           "failed, then wiped: export them with havenctl outbox "
                                           "export-failed.",
                                           days),
                              days);
      both = g_strdup_printf ("%s\n%s", counts, kept);
      g_free (counts);
      counts = both;
    }
  set_label (self->outbox_label, counts);

  alert = haven_delivery_get_operator_alert (self->delivery);
  if (alert != NULL)
    {
      if (errors->len > 0)
        g_string_prepend_c (errors, '\n');
      g_string_prepend (errors, alert);
    }
  set_label (self->outbox_errors_label, errors->str);
  gtk_widget_set_sensitive (self->flush_button, queued > 0);
}

static void
flushed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HavenOperatorScreen) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = haven_delivery_flush_finish (HAVEN_DELIVERY (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  show_outbox (self);
  if (results == NULL)
    set_label (self->outbox_errors_label, error->message);
}

static void
flush_cb (HavenOperatorScreen *self)
{
  if (self->delivery == NULL)
    return;

  gtk_widget_set_sensitive (self->flush_button, FALSE);
  set_label (self->outbox_errors_label, _("Sending…"));
  haven_delivery_flush_async (self->delivery, HAVEN_DELIVERY_FLUSH_ALL, self->cancellable,
                              flushed_cb, g_object_ref (self));
}

/* Backend */

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(HavenOperatorScreen) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 api_version = 0;

  if (!haven_backend_check_finish (HAVEN_BACKEND (object), result, &api_version, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Backend not reachable: %s"), error->message);
    }
  else
    /* Translators: %s is the backend's address, %d the API version. */
    text = g_strdup_printf (_("Backend reachable: %s (API version %d)"),
                            haven_backend_get_base_url (HAVEN_BACKEND (object)), (int) api_version);

  set_label (self->backend_label, text);
  gtk_widget_set_sensitive (self->check_button, TRUE);
}

static void
check_backend_cb (HavenOperatorScreen *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenBackend) backend = haven_backend_new_from_settings (self->settings, &error);

  if (backend == NULL)
    {
      set_label (self->backend_label, error->message);
      return;
    }

  gtk_widget_set_sensitive (self->check_button, FALSE);
  set_label (self->backend_label, _("Checking…"));
  haven_backend_check_async (backend, self->cancellable, checked_cb, g_object_ref (self));
}

/* Directory, content, locks */

/* An old directory may send a visitor to a closed line: the operator is
 * told (directory-max-age), never the visitor. */
static void
show_directory_age (HavenOperatorScreen *self,
                    const char          *imported_at)
{
  g_autofree char *text = NULL;
  GTimeSpan age = 0;
  gboolean too_old = FALSE;
  guint days;

  if (!haven_directory_judge_age (self->settings, imported_at, &age, &too_old))
    {
      set_label (self->directory_age_label, NULL);
      return;
    }

  days = (guint) (age / G_TIME_SPAN_DAY);
  if (too_old)
    {
      guint max_days = g_settings_get_uint (self->settings, "directory-max-age");

      /* Translators: "Out of date: made 20 days ago, and the setting
       * directory-max-age allows 14 days". Keep the setting's name. */
      text = g_strdup_printf (ngettext ("Out of date: made %u days ago, and the setting "
                                        "directory-max-age allows %u day",
                                        "Out of date: made %u days ago, and the setting "
                                        "directory-max-age allows %u days", max_days),
                              days, max_days);
      gtk_widget_add_css_class (GTK_WIDGET (self->directory_age_label), "error");
    }
  else
    {
      text = g_strdup_printf (ngettext ("Made %u day ago", "Made %u days ago", days), days);
      gtk_widget_remove_css_class (GTK_WIDGET (self->directory_age_label), "error");
    }
  set_label (self->directory_age_label, text);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* The organisation's bundle: the one in use, one waiting for the end of a
 * visit, the last check and why it failed. */
static void
show_bundle (HavenOperatorScreen *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  HavenBundleManifest *manifest;
  GDateTime *checked;
  const char *last_error;
  guint64 pending;

  if (self->bundle_updater == NULL || !haven_bundle_updater_get_enabled (self->bundle_updater))
    {
      set_label (self->bundle_label,
                 _("Off: the directory and content come from this kiosk’s settings "
                   "(bundle-public-key is empty)"));
      set_label (self->bundle_error_label, NULL);
      /* Nothing to check without a key. */
      gtk_widget_set_visible (self->bundle_button, FALSE);
      return;
    }

  manifest = haven_bundle_updater_get_manifest (self->bundle_updater);
  if (manifest != NULL)
    {
      g_autofree char *number = g_strdup_printf (
        "%" G_GUINT64_FORMAT, haven_bundle_manifest_get_version (manifest));
      g_autofree char *version = haven_bidi_isolate_ltr (number);
      g_autofree char *when = format_time (haven_bundle_manifest_get_created (manifest));
      g_autofree char *created = haven_bidi_isolate_ltr (when);
      g_autofree char *publisher = haven_bidi_isolate (
        haven_bundle_manifest_get_publisher (manifest));

      /* Translators: "In use: bundle 20261207120000 of 2026-12-07 12:00, from
       * Example Support Network" */
      g_string_append_printf (text, _("In use: bundle %s of %s, from %s"), version, created,
                              publisher);
    }
  else
    {
      g_string_append (text, _("In use: no bundle yet"));
    }

  pending = haven_bundle_updater_get_pending_version (self->bundle_updater);
  if (pending > 0)
    {
      g_autofree char *version = g_strdup_printf ("%" G_GUINT64_FORMAT, pending);

      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Bundle %s is ready and comes into use when this screen "
                                      "closes"), version);
    }

  g_string_append_c (text, '\n');
  checked = haven_bundle_updater_get_last_checked (self->bundle_updater);
  if (haven_bundle_updater_get_checking (self->bundle_updater))
    g_string_append (text, _("Checking…"));
  else if (checked != NULL)
    {
      g_autofree char *when = format_time (checked);

      g_string_append_printf (text, _("Last checked %s"), when);
    }
  else
    g_string_append (text, _("Not checked yet"));

  set_label (self->bundle_label, text->str);

  last_error = haven_bundle_updater_get_last_error (self->bundle_updater);
  if (last_error != NULL)
    {
      g_autofree char *line = g_strdup_printf (_("The last check failed: %s"), last_error);

      set_label (self->bundle_error_label, line);
    }
  else
    {
      set_label (self->bundle_error_label, NULL);
    }
  gtk_widget_set_visible (self->bundle_button, TRUE);
  gtk_widget_set_sensitive (self->bundle_button,
                            !haven_bundle_updater_get_checking (self->bundle_updater));
}

static void
bundle_checked_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(HavenOperatorScreen) self = user_data;

  /* The outcome is the updater's to keep; show_bundle() reads it. */
  haven_bundle_updater_check_finish (HAVEN_BUNDLE_UPDATER (object), result, NULL, NULL);
}

static void
check_bundle_cb (HavenOperatorScreen *self)
{
  if (self->bundle_updater == NULL)
    return;
  haven_bundle_updater_check_async (self->bundle_updater, self->cancellable, bundle_checked_cb,
                                    g_object_ref (self));
}

static void
reload_directory_cb (HavenOperatorScreen *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HavenDirectory) directory = haven_directory_open_configured (self->settings, NULL, NULL,
                                                                         &error);
  g_autoptr(HavenDirectoryStats) stats = NULL;
  g_autofree char *text = NULL;

  if (directory != NULL)
    stats = haven_directory_get_stats (directory, &error);

  if (stats == NULL)
    text = g_strdup_printf (_("The directory cannot be used: %s"), error->message);
  else
    {
      g_autofree char *imported_at = haven_bidi_isolate_ltr (stats->imported_at != NULL ?
                                                             stats->imported_at : "?");
      g_autofree char *source = haven_bidi_isolate_ltr (stats->source != NULL ?
                                                        stats->source : "?");

      /* Translators: counts, then when the directory was imported and from
       * which file. */
      g_autofree char *services = g_strdup_printf (ngettext ("%u service", "%u services",
                                                             stats->n_services),
                                                   stats->n_services);
      g_autofree char *organisations = g_strdup_printf (ngettext ("%u organisation",
                                                                  "%u organisations",
                                                                  stats->n_organizations),
                                                        stats->n_organizations);

      /* Translators: "1,204 services of 310 organisations, imported
       * 2026-12-01 09:30 from /var/lib/haven/directory.json"; the first two
       * are the counts above, each in its own plural. */
      text = g_strdup_printf (_("%1$s of %2$s, imported %3$s from %4$s"), services, organisations,
                              imported_at, source);
    }

  set_label (self->directory_label, text);
  show_directory_age (self, stats != NULL ? stats->imported_at : NULL);
}

static void
show_content (HavenOperatorScreen *self)
{
  g_autofree char *version = haven_bidi_isolate_ltr (haven_content_get_version (self->content));
  g_autofree char *folder = haven_bidi_isolate_ltr (haven_content_get_dir (self->content));
  g_autofree char *text = g_strdup_printf (_("Version %s, from %s"), version, folder);

  set_label (self->content_label, text);
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Whether GTK's Inspector, which can change anything on screen, can be
 * opened from the keyboard (haven-lockdown.c). */
static void
show_inspector (HavenOperatorScreen *self)
{
  gboolean kiosk_mode = g_settings_get_boolean (self->settings, "kiosk-mode");
  gboolean setting_on = haven_lockdown_inspector_is_enabled ();
  const char *text;

  if (!setting_on)
    text = _("Inspector: off");
  else if (kiosk_mode)
    /* Translators: GTK's Inspector, a developer's tool. "enable-inspector-keybinding"
     * is the name of a setting: keep it as it is. */
    text = _("Inspector: off in kiosk mode, but GTK's enable-inspector-keybinding is on: "
             "lock it off as data/dconf does");
  else
    text = _("Inspector: on, because kiosk mode is off");

  set_label (self->inspector_label, text);
}

static void
show_locks (HavenOperatorScreen *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autoptr(GString) locked = g_string_new (NULL);

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  qsort (keys, g_strv_length (keys), sizeof (char *), compare_strings);
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_settings_is_writable (self->settings, keys[i]))
      g_string_append_printf (locked, "%s%s", locked->len > 0 ? ", " : "", keys[i]);

  set_label (self->locked_label, locked->len > 0 ? locked->str : _("None"));
  show_inspector (self);
  gtk_widget_set_sensitive (self->leave_kiosk_button,
                            g_settings_is_writable (self->settings, "kiosk-mode") &&
                            g_settings_get_boolean (self->settings, "kiosk-mode"));
}

static void
leave_kiosk_mode_cb (HavenOperatorScreen *self)
{
  g_settings_set_boolean (self->settings, "kiosk-mode", FALSE);
  show_locks (self);
}

static void
show_panel (HavenOperatorScreen *self)
{
  gtk_widget_set_visible (self->pin_box, FALSE);
  gtk_widget_set_visible (self->panel, TRUE);

  show_outbox (self);
  reload_directory_cb (self);
  show_content (self);
  show_bundle (self);
  show_locks (self);
  check_backend_cb (self);

  gtk_widget_grab_focus (self->flush_button);
  if (!gtk_widget_get_sensitive (self->flush_button))
    gtk_widget_child_focus (self->panel, GTK_DIR_TAB_FORWARD);
}

/* PIN */

static void
pin_checked_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(HavenOperatorScreen) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  gtk_widget_set_sensitive (self->unlock_button, TRUE);

  if (!haven_pin_guard_check_finish (HAVEN_PIN_GUARD (object), result, &error))
    {
      set_label (self->pin_message, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
      return;
    }

  set_label (self->pin_message, NULL);
  show_panel (self);
}

static void
unlock_cb (HavenOperatorScreen *self)
{
  g_autofree char *hash = g_settings_get_string (self->settings, "operator-pin-hash");
  const char *pin = gtk_editable_get_text (GTK_EDITABLE (self->pin_entry));

  /* One PIN at a time. The entry stays sensitive: it has the focus, and
   * GtkText does not like losing it that way. */
  if (!gtk_widget_get_sensitive (self->unlock_button))
    return;

  gtk_widget_set_sensitive (self->unlock_button, FALSE);
  set_label (self->pin_message, _("Checking…"));
  haven_pin_guard_check_async (self->pin_guard, hash, pin, self->cancellable,
                               pin_checked_cb, g_object_ref (self));
  /* The guard has its own copy; the entry's is not needed again. */
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
}

static void
close_cb (HavenOperatorScreen *self)
{
  g_signal_emit (self, signals[CLOSED], 0);
}

static gboolean
haven_operator_screen_grab_focus (GtkWidget *widget)
{
  HavenOperatorScreen *self = HAVEN_OPERATOR_SCREEN (widget);

  if (gtk_widget_get_visible (self->pin_box))
    return gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));

  return GTK_WIDGET_CLASS (haven_operator_screen_parent_class)->grab_focus (widget);
}

static void
haven_operator_screen_dispose (GObject *object)
{
  HavenOperatorScreen *self = HAVEN_OPERATOR_SCREEN (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->content);
  g_clear_object (&self->delivery);
  g_clear_object (&self->pin_guard);
  if (self->bundle_updater != NULL)
    g_signal_handlers_disconnect_by_data (self->bundle_updater, self);
  g_clear_object (&self->bundle_updater);

  G_OBJECT_CLASS (haven_operator_screen_parent_class)->dispose (object);
}

static void
haven_operator_screen_class_init (HavenOperatorScreenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = haven_operator_screen_dispose;
  widget_class->grab_focus = haven_operator_screen_grab_focus;

  /* The operator is done: the window goes back to the welcome page. */
  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/havenkiosk/Haven/haven-operator-screen.ui");
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, pin_box);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, pin_message);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, panel);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, outbox_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, sealing_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, outbox_errors_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, flush_button);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, backend_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, check_button);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, directory_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, directory_age_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, content_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, bundle_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, bundle_error_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, bundle_button);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, locked_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, inspector_label);
  gtk_widget_class_bind_template_child (widget_class, HavenOperatorScreen, leave_kiosk_button);
  gtk_widget_class_bind_template_callback (widget_class, unlock_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_cb);
  gtk_widget_class_bind_template_callback (widget_class, flush_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_backend_cb);
  gtk_widget_class_bind_template_callback (widget_class, reload_directory_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_bundle_cb);
  gtk_widget_class_bind_template_callback (widget_class, leave_kiosk_mode_cb);
}

static void
haven_operator_screen_init (HavenOperatorScreen *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * haven_operator_screen_new:
 * @delivery: (nullable): the kiosk's delivery of queued requests, or
 *   %NULL when its outbox cannot be opened
 * @pin_guard: counts wrong PINs across openings of the screen
 */
GtkWidget *
haven_operator_screen_new (GSettings     *settings,
                           HavenContent  *content,
                           HavenDelivery *delivery,
                           HavenPinGuard *pin_guard)
{
  HavenOperatorScreen *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (HAVEN_IS_CONTENT (content), NULL);
  g_return_val_if_fail (delivery == NULL || HAVEN_IS_DELIVERY (delivery), NULL);
  g_return_val_if_fail (HAVEN_IS_PIN_GUARD (pin_guard), NULL);

  self = g_object_new (HAVEN_TYPE_OPERATOR_SCREEN, NULL);
  self->settings = g_object_ref (settings);
  self->content = g_object_ref (content);
  self->delivery = delivery != NULL ? g_object_ref (delivery) : NULL;
  self->pin_guard = g_object_ref (pin_guard);

  return GTK_WIDGET (self);
}

gboolean
haven_operator_screen_is_unlocked (HavenOperatorScreen *self)
{
  g_return_val_if_fail (HAVEN_IS_OPERATOR_SCREEN (self), FALSE);

  return gtk_widget_get_visible (self->panel);
}

static void
bundle_changed_cb (HavenOperatorScreen *self)
{
  if (gtk_widget_get_visible (self->panel))
    {
      show_bundle (self);
      /* A new bundle may have brought another directory. */
      reload_directory_cb (self);
    }
}

/**
 * haven_operator_screen_set_bundle_updater:
 * @updater: (nullable): what keeps the kiosk's bundle current
 *
 * The screen shows the bundle in use, the one waiting and the last check,
 * and can check now.
 */
void
haven_operator_screen_set_bundle_updater (HavenOperatorScreen *self,
                                          HavenBundleUpdater  *updater)
{
  g_return_if_fail (HAVEN_IS_OPERATOR_SCREEN (self));
  g_return_if_fail (updater == NULL || HAVEN_IS_BUNDLE_UPDATER (updater));

  if (self->bundle_updater != NULL)
    g_signal_handlers_disconnect_by_data (self->bundle_updater, self);
  g_set_object (&self->bundle_updater, updater);
  if (updater != NULL)
    g_signal_connect_object (updater, "changed", G_CALLBACK (bundle_changed_cb), self,
                             G_CONNECT_SWAPPED);
}
