/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "haven-gtk-fixes"

#include "config.h"

#include "haven-gtk-fixes.h"

/* Works around bugs of the GTK the kiosk runs on that a kiosk, which
 * builds and destroys pages all week in one process, would feel.
 *
 * GtkScrolledWindow (GTK 4.8, as in Debian 12) connects to its GtkSettings'
 * notify::gtk-overlay-scrolling when it is realized, and on unrealize
 * disconnects a different function, so the handler stays. Every page of a
 * visit has a scrolled window: each visit left some twenty handlers on
 * the display’s settings, about 3 KB, for good, and each pointing at a
 * scrolled window long freed, which a change of that setting would call. */

static guint notify_signal;
static GQuark overlay_scrolling_detail;

static gboolean
scrolled_window_unrealize_hook (GSignalInvocationHint *hint,
                                guint                  n_values,
                                const GValue          *values,
                                gpointer               user_data)
{
  GObject *widget = g_value_get_object (&values[0]);
  GSignalMatchType match = G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DETAIL | G_SIGNAL_MATCH_DATA;

  /* The hook runs before GTK's own unrealize, while the settings are still
   * the widget's; whatever GTK then disconnects, nothing is left. */
  if (GTK_IS_SCROLLED_WINDOW (widget))
    g_signal_handlers_disconnect_matched (gtk_widget_get_settings (GTK_WIDGET (widget)), match,
                                          notify_signal, overlay_scrolling_detail,
                                          NULL, NULL, widget);

  return TRUE;
}

/**
 * haven_gtk_fixes_install:
 *
 * Installs the workarounds, once per process.
 */
void
haven_gtk_fixes_install (void)
{
  static gsize installed;

  if (!g_once_init_enter (&installed))
    return;

  notify_signal = g_signal_lookup ("notify", G_TYPE_OBJECT);
  overlay_scrolling_detail = g_quark_from_static_string ("gtk-overlay-scrolling");
  g_signal_add_emission_hook (g_signal_lookup ("unrealize", GTK_TYPE_WIDGET), 0,
                              scrolled_window_unrealize_hook, NULL, NULL);

  g_once_init_leave (&installed, 1);
}
