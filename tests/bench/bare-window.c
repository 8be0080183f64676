/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bare-window"

#include "config.h"

#include <adwaita.h>

#include "haven-first-frame.h"
#include "haven-renderer.h"

/* The baseline for the start-up benchmark: the least a libadwaita kiosk can
 * do, so that bench-startup can tell how much of haven's start-up is haven's
 * own. It is built from haven's own haven-first-frame.c, because any
 * difference in how the first frame is detected would show up as a
 * difference in start-up time, and from haven-renderer.c, so that left to
 * choose its renderer it chooses as haven does. */

/* haven's default size (ui/haven-window.ui), so both paint as many pixels. */
#define WINDOW_WIDTH 1280
#define WINDOW_HEIGHT 800

/* --exit-after-first-frame, as haven takes it. */
static gboolean exit_after_first_frame;

static void
activate_cb (GApplication *app)
{
  GtkWidget *window;

  window = adw_application_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), WINDOW_WIDTH, WINDOW_HEIGHT);
  if (exit_after_first_frame)
    haven_first_frame_watch (GTK_WINDOW (window));

  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;
  const GOptionEntry entries[] = {
    { "exit-after-first-frame", 0, 0, G_OPTION_ARG_NONE, &exit_after_first_frame,
      "Print when the first frame is painted, then quit", NULL },
    { NULL },
  };

  haven_renderer_apply ();

  /* An application id, like haven's, so both register on the session bus
   * when there is one; non-unique so that a run never hands off to another
   * instance that is still exiting. */
  app = adw_application_new (APP_ID ".BareWindow", G_APPLICATION_NON_UNIQUE);
  g_application_add_main_option_entries (G_APPLICATION (app), entries);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
