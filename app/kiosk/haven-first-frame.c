/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-first-frame"

#include "config.h"

#include <stdio.h>

#include "haven-first-frame.h"

/* For the start-up benchmark (tests/bench): with --exit-after-first-frame
 * (haven's option, and bare-window's), print when the window's first frame
 * has been painted,
 * as `first-frame-us: N` with N from g_get_monotonic_time(), and quit. The
 * benchmark's baseline program uses this same file, so both are measured the
 * same way.
 *
 * The frame clock's after-paint fires once per frame whether or not anything
 * was drawn: on X11 the first frames run before the server has mapped the
 * window and render nothing. GtkWindow's own GdkSurface::render handler
 * returns TRUE, which stops the emission, so a handler of ours would never
 * run; an emission hook runs before every handler and so always sees the
 * render. The hook marks the frame, and the after-paint that ends that frame
 * is the moment the first frame has been painted. */

static gboolean first_frame_rendered;

static gboolean
surface_render_hook_cb (GSignalInvocationHint *ihint,
                        guint                  n_params,
                        const GValue          *params,
                        gpointer               user_data)
{
  GtkWidget *window = user_data;

  if (g_value_get_object (&params[0]) != gtk_native_get_surface (GTK_NATIVE (window)))
    return TRUE;

  first_frame_rendered = TRUE;
  return FALSE;
}

static void
frame_clock_after_paint_cb (GdkFrameClock *frame_clock,
                            GtkWindow     *window)
{
  GApplication *application;

  if (!first_frame_rendered)
    return;

  g_signal_handlers_disconnect_by_func (frame_clock, frame_clock_after_paint_cb, window);

  printf ("first-frame-us: %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);

  application = G_APPLICATION (gtk_window_get_application (window));
  if (application != NULL)
    g_application_quit (application);
}

static void
window_realize_cb (GtkWidget *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  g_signal_add_emission_hook (g_signal_lookup ("render", GDK_TYPE_SURFACE), 0,
                              surface_render_hook_cb, window, NULL);
  g_signal_connect_object (gdk_surface_get_frame_clock (surface), "after-paint",
                           G_CALLBACK (frame_clock_after_paint_cb), window, 0);
}

/**
 * haven_first_frame_watch:
 * @window: a window that has not been realized yet
 *
 * Prints when @window's first frame has been painted, then quits its
 * application.
 */
void
haven_first_frame_watch (GtkWindow *window)
{
  g_return_if_fail (GTK_IS_WINDOW (window));

  g_signal_connect (window, "realize", G_CALLBACK (window_realize_cb), NULL);
}
