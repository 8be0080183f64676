/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-application"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "haven-application.h"
#include "haven-bundle-updater.h"
#include "haven-directory.h"
#include "haven-first-frame.h"
#include "haven-locale.h"
#include "haven-outbox.h"
#include "haven-page-renderer.h"
#include "haven-status-reporter.h"
#include "haven-window.h"

struct _HavenApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  /* Sends queued requests for as long as Haven runs, whoever is at the
   * kiosk. */
  HavenSender *sender;
  /* Tells the backend, every status-report-interval, that this kiosk is
   * there and how its outbox fares. */
  HavenStatusReporter *status_reporter;
  /* Keeps the organisation's bundle of directory and content current. */
  HavenBundleUpdater *bundle_updater;

  /* haven --render-pages DIR [--language LL] [--size WxH] [--high-contrast]
   * [--text-scale N] */
  char *render_directory;
  char *render_language;
  int render_width;
  int render_height;
  HavenRenderLooks render_looks;
  /* haven --exit-after-first-frame, for the start-up benchmark. */
  gboolean exit_after_first_frame;
  int exit_status;
};

G_DEFINE_FINAL_TYPE (HavenApplication, haven_application, ADW_TYPE_APPLICATION)

/* What the status report names as the directory's and the content's
 * versions: the directory the settings name, and the content the window
 * shows. */
static void
status_versions_cb (gpointer   user_data,
                    char     **directory_version,
                    char     **content_version)
{
  HavenApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  HavenContent *content = NULL;

  if (HAVEN_IS_WINDOW (window))
    content = haven_window_get_content (HAVEN_WINDOW (window));

  *directory_version = haven_directory_dup_configured_version (self->settings);
  *content_version = content != NULL ? g_strdup (haven_content_get_version (content)) : NULL;
}

/* Requests left queued by an earlier run go out without waiting for the
 * next visitor; opening the outbox waits until the window is on screen. */
static gboolean
start_delivery_cb (gpointer user_data)
{
  HavenApplication *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sealing = NULL;

  /* A kiosk that will refuse every request, or keep them unsealed, says
   * so in its log from the start, not only when a visitor meets it. */
  if (haven_outbox_sealing_from_settings (self->settings, &sealing) != HAVEN_OUTBOX_SEALING_SEALED)
    g_message ("Outbox: %s", sealing);

  if (haven_sender_ensure_delivery (self->sender, &error) == NULL)
    g_warning ("Queued requests cannot be sent: %s", error->message);

  /* Started even without a usable backend: each report makes its own
   * from the settings, so it starts working when they are mended. */
  if (self->status_reporter == NULL)
    {
      self->status_reporter = haven_status_reporter_new (self->settings, self->sender,
                                                         status_versions_cb, self, NULL);
      haven_status_reporter_start (self->status_reporter);
    }

  haven_bundle_updater_start (self->bundle_updater);

  return G_SOURCE_REMOVE;
}

static void
render_pages (HavenApplication *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *language = self->render_language != NULL ? g_strdup (self->render_language)
                                                             : haven_locale_get_default (self->settings);

  g_application_hold (G_APPLICATION (self));
  if (!haven_page_renderer_run (self->settings, self->render_directory, language,
                                self->render_width, self->render_height, &self->render_looks,
                                &error))
    {
      g_printerr ("%s\n", error->message);
      self->exit_status = 1;
    }
  g_application_release (G_APPLICATION (self));
}

static void
haven_application_activate (GApplication *application)
{
  HavenApplication *self = HAVEN_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (self->render_directory != NULL)
    {
      render_pages (self);
      return;
    }

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }

  /* Starting is between two visits: a bundle fetched while Haven was not
   * running (havenctl bundle fetch) comes into use now. */
  self->bundle_updater = haven_bundle_updater_new (self->settings);
  {
    g_autoptr(GError) error = NULL;

    if (!haven_bundle_updater_install_pending (self->bundle_updater, &error) && error != NULL)
      g_warning ("The new bundle cannot be used: %s", error->message);
  }

  window = GTK_WINDOW (haven_window_new (self, self->settings, self->sender));
  haven_window_set_bundle_updater (HAVEN_WINDOW (window), self->bundle_updater);
  if (self->exit_after_first_frame)
    {
      g_auto(GStrv) configured = g_settings_get_strv (self->settings, "languages");
      g_auto(GStrv) offered = haven_locale_filter_offered ((const char * const *) configured);

      /* For the benchmark: each script on the welcome page costs its fonts.
       * With none, the window offers English alone. */
      printf ("welcome-languages: %u\n", MAX (g_strv_length (offered), 1));
      haven_first_frame_watch (window);
    }
  gtk_window_present (window);
  g_idle_add_full (G_PRIORITY_LOW, start_delivery_cb, g_object_ref (self), g_object_unref);
}

static void
load_icon_theme_cb (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  /* Any lookup reads the themes, under the icon theme's lock. */
  gtk_icon_theme_has_icon (GTK_ICON_THEME (source_object), "haven-language-symbolic");
  g_task_return_boolean (task, TRUE);
}

/* GTK 4.8 reads the icon themes (Adwaita's index alone lists some two
 * hundred folders) in a thread when a display's icon theme is first asked
 * for, but adding a resource path afterwards throws what it read away, and
 * the next lookup reads it all again on the main thread. GtkApplication and
 * adw_init() each add one after that first read, so the header's first icon
 * read the themes on the main thread before the first frame: some 65 million
 * instructions of the 280 million that haven's first frame cost on top of an
 * empty window's. Once both are added, a lookup in a thread reads them while
 * the window is built; the header's lookup then finds them read, or waits
 * for that thread under the theme's lock. */
static void
start_icon_theme (void)
{
  GtkIconTheme *icon_theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  g_autoptr(GTask) task = g_task_new (icon_theme, NULL, NULL, NULL);

  g_task_run_in_thread (task, load_icon_theme_cb);
}

static void
haven_application_startup (GApplication *application)
{
  HavenApplication *self = HAVEN_APPLICATION (application);

  G_APPLICATION_CLASS (haven_application_parent_class)->startup (application);

  start_icon_theme ();

  /* A kiosk keeps no history of what its visitors opened. */
  g_object_set (gtk_settings_get_default (),
                "gtk-recent-files-enabled", FALSE,
                NULL);

  self->settings = g_settings_new (APP_ID);
  self->sender = haven_sender_new (self->settings);
}

static int
haven_application_handle_local_options (GApplication *application,
                                        GVariantDict *options)
{
  HavenApplication *self = HAVEN_APPLICATION (application);
  g_autofree char *size = NULL;

  g_variant_dict_lookup (options, "render-pages", "^ay", &self->render_directory);
  g_variant_dict_lookup (options, "language", "s", &self->render_language);
  g_variant_dict_lookup (options, "size", "s", &size);
  self->render_looks.high_contrast = g_variant_dict_contains (options, "high-contrast");
  g_variant_dict_lookup (options, "text-scale", "d", &self->render_looks.text_scale);
  self->exit_after_first_frame = g_variant_dict_contains (options, "exit-after-first-frame");

  if (self->render_directory == NULL)
    return -1;

  self->render_width = 1280;
  self->render_height = 800;
  if (size != NULL && sscanf (size, "%dx%d", &self->render_width, &self->render_height) != 2)
    {
      g_printerr (_("The size “%s” is not WIDTHxHEIGHT, for example 1280x800\n"), size);
      return 2;
    }
  if (self->render_looks.text_scale != 0 &&
      (self->render_looks.text_scale < 0.5 || self->render_looks.text_scale > 4))
    {
      g_printerr (_("The text scale must be between 0.5 and 4, not %g\n"),
                  self->render_looks.text_scale);
      return 2;
    }
  if (self->render_language != NULL && !haven_locale_is_known (self->render_language))
    {
      g_printerr (_("Haven has no language “%s”\n"), self->render_language);
      return 2;
    }

  /* Rendering runs beside a kiosk that may be running. */
  g_application_set_flags (application, g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
  return -1;
}

static void
haven_application_dispose (GObject *object)
{
  HavenApplication *self = HAVEN_APPLICATION (object);

  g_clear_object (&self->status_reporter);
  g_clear_object (&self->bundle_updater);
  g_clear_object (&self->sender);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->render_directory, g_free);
  g_clear_pointer (&self->render_language, g_free);

  G_OBJECT_CLASS (haven_application_parent_class)->dispose (object);
}

static void
haven_application_class_init (HavenApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = haven_application_dispose;

  application_class->activate = haven_application_activate;
  application_class->startup = haven_application_startup;
  application_class->handle_local_options = haven_application_handle_local_options;
}

static void
haven_application_init (HavenApplication *self)
{
  const GOptionEntry entries[] = {
    { "render-pages", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Write a picture of every page to DIRECTORY, then quit"), N_("DIRECTORY") },
    { "language", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The language of the pictures, such as ar or zh_CN"), N_("LANGUAGE") },
    { "size", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The size of the pictures (default 1280x800)"), N_("WIDTHxHEIGHT") },
    { "high-contrast", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Draw the pictures in high contrast, as a visitor may ask"), NULL },
    { "text-scale", 0, 0, G_OPTION_ARG_DOUBLE, NULL,
      N_("Draw the pictures' text this many times larger, such as 2"), N_("SCALE") },
    { "exit-after-first-frame", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Print when the first frame is painted, then quit (for the start-up benchmark)"),
      NULL },
    { NULL },
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

/**
 * haven_application_get_exit_status:
 *
 * Returns: what haven exits with after g_application_run(): not 0 when
 *   pages could not be rendered
 */
int
haven_application_get_exit_status (HavenApplication *self)
{
  g_return_val_if_fail (HAVEN_IS_APPLICATION (self), 1);

  return self->exit_status;
}

HavenApplication *
haven_application_new (void)
{
  return g_object_new (HAVEN_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/havenkiosk/Haven",
                       NULL);
}
