/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The exit status of every havenctl command. */
typedef enum {
  HAVENCTL_EXIT_OK = 0,
  /* The command ran and failed; the one line it printed says why. */
  HAVENCTL_EXIT_FAILED = 1,
  /* A mistake in what was given: the command line, or a file that is not
   * valid. */
  HAVENCTL_EXIT_USAGE = 2,
} HavenctlExit;

/* havenctl.c's command table entry; only its pointer is passed to a
 * command. */
typedef struct _Command Command;

gboolean   havenctl_parse_options     (int            *argc,
                                       char         ***argv,
                                       const char     *parameter_string,
                                       const char     *summary,
                                       GOptionEntry   *entries);

GSettings *havenctl_try_open_settings (void);
GSettings *havenctl_open_settings     (void);

int        havenctl_fail              (HavenctlExit    status,
                                       const char     *format,
                                       ...) G_GNUC_PRINTF (2, 3);
int        havenctl_fail_with_error   (HavenctlExit    status,
                                       const GError   *error);

void       havenctl_store_result_cb   (GObject        *object,
                                       GAsyncResult   *result,
                                       gpointer        user_data);
void       havenctl_wait_for_result   (GAsyncResult  **result);

void       havenctl_json_add_string   (JsonBuilder    *builder,
                                       const char     *member,
                                       const char     *value);
void       havenctl_json_add_int      (JsonBuilder    *builder,
                                       const char     *member,
                                       gint64          value);
void       havenctl_print_json        (JsonBuilder    *builder);

G_END_DECLS
