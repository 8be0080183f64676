/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-desk"

#include "config.h"

#include <glib/gi18n.h>

#include "haven-desk-application.h"
#include "haven-desk-window.h"
#include "haven-wipe.h"

/* The caseworkers' application: one window, one organisation key. What
 * it holds of a case is in memory only, so the application keeps the C
 * library scrubbing freed memory for its whole life (main() restarts it
 * without glibc's thread cache, which would skip that), and tells GTK not
 * to record recent files. */

struct _HavenDeskApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  HavenKeyVault *vault;
  HavenContent *content;
};

G_DEFINE_FINAL_TYPE (HavenDeskApplication, haven_desk_application, ADW_TYPE_APPLICATION)

static char *
dup_key_file_path (GSettings *settings)
{
  g_autofree char *path = g_settings_get_string (settings, "key-file");

  if (path[0] != '\0')
    return g_steal_pointer (&path);
  return g_build_filename (g_get_user_data_dir (), "haven-desk", "organisation.key", NULL);
}

static void
haven_desk_application_startup (GApplication *application)
{
  HavenDeskApplication *self = HAVEN_DESK_APPLICATION (application);
  g_autoptr(GError) error = NULL;
  g_autofree char *key_file = NULL;

  G_APPLICATION_CLASS (haven_desk_application_parent_class)->startup (application);

  haven_wipe_set_scrub_freed_memory (TRUE);
  g_object_set (gtk_settings_get_default (), "gtk-recent-files-enabled", FALSE, NULL);

  if (self->settings == NULL)
    self->settings = g_settings_new (DESK_APP_ID);

  key_file = dup_key_file_path (self->settings);
  self->vault = haven_key_vault_new (key_file);

  self->content = haven_content_load_default (self->settings, &error);
  if (self->content == NULL)
    g_warning ("The questions’ words cannot be read, so answers show by their ids: %s",
               error->message);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.lock",
                                         (const char *[]) { "<Control>l", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.refresh",
                                         (const char *[]) { "F5", "<Control>r", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close",
                                         (const char *[]) { "<Control>q", "<Control>w", NULL });
}

static void
haven_desk_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (haven_desk_window_new (HAVEN_DESK_APPLICATION (application)));
  gtk_window_present (window);
}

static void
haven_desk_application_shutdown (GApplication *application)
{
  HavenDeskApplication *self = HAVEN_DESK_APPLICATION (application);

  if (self->vault != NULL)
    haven_key_vault_lock (self->vault);

  G_APPLICATION_CLASS (haven_desk_application_parent_class)->shutdown (application);
}

static void
haven_desk_application_finalize (GObject *object)
{
  HavenDeskApplication *self = HAVEN_DESK_APPLICATION (object);

  g_clear_object (&self->vault);
  g_clear_object (&self->content);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (haven_desk_application_parent_class)->finalize (object);
}

static void
haven_desk_application_class_init (HavenDeskApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = haven_desk_application_finalize;
  application_class->startup = haven_desk_application_startup;
  application_class->activate = haven_desk_application_activate;
  application_class->shutdown = haven_desk_application_shutdown;
}

static void
haven_desk_application_init (HavenDeskApplication *self)
{
}

HavenDeskApplication *
haven_desk_application_new (void)
{
  return g_object_new (HAVEN_TYPE_DESK_APPLICATION,
                       "application-id", DESK_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/havenkiosk/Haven/Desk",
                       NULL);
}

HavenDeskApplication *
haven_desk_application_new_with_settings (GSettings *settings)
{
  HavenDeskApplication *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  /* No id: nothing exported on the session bus, so that a test can make
   * one after another. */
  self = g_object_new (HAVEN_TYPE_DESK_APPLICATION,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/io/github/havenkiosk/Haven/Desk",
                       NULL);
  self->settings = g_object_ref (settings);
  return self;
}

GSettings *
haven_desk_application_get_settings (HavenDeskApplication *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_APPLICATION (self), NULL);
  return self->settings;
}

HavenKeyVault *
haven_desk_application_get_vault (HavenDeskApplication *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_APPLICATION (self), NULL);
  return self->vault;
}

HavenContent *
haven_desk_application_get_content (HavenDeskApplication *self)
{
  g_return_val_if_fail (HAVEN_IS_DESK_APPLICATION (self), NULL);
  return self->content;
}
