/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <libsoup/soup.h>

#include "hsds-process.h"

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
line_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A test that fails aborts: the server must not outlive it, holding the
 * pipe meson waits on. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

HsdsServer *
hsds_server_start (const char * const *arguments)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GMainContext *context = g_main_context_get_thread_default ();
  const char *script = g_getenv ("HAVEN_HSDS_SERVER");
  HsdsServer *server = g_new0 (HsdsServer, 1);

  g_assert_nonnull (script);
  g_ptr_array_add (argv, (gpointer) "python3");
  g_ptr_array_add (argv, (gpointer) script);
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  for (guint i = 0; arguments != NULL && arguments[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) arguments[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  /* Its first line says where it listens; it prints it once it does,
   * which takes well under a second, or it is broken. */
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  cancellable = g_cancellable_new ();
  timeout = g_timeout_source_new_seconds (30);
  g_source_set_callback (timeout, cancel_cb, cancellable, NULL);
  g_source_attach (timeout, context);
  g_data_input_stream_read_line_async (output, G_PRIORITY_DEFAULT, cancellable, line_read_cb,
                                       &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  line = g_data_input_stream_read_line_finish_utf8 (output, result, NULL, &error);
  if (error != NULL)
    g_error ("The HSDS test server did not say where it listens within 30 s: %s",
             error->message);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  server->url = g_strdup (line + strlen ("listening on "));
  return server;
}

void
hsds_server_stop (HsdsServer *server)
{
  if (server == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  g_free (server->url);
  g_free (server);
}

static JsonNode *
request (HsdsServer *server,
         const char *method,
         const char *path)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strconcat (server->url, path, NULL);

  g_main_context_push_thread_default (context);
  /* The server answers in milliseconds; a test must not wait for ever. */
  session = soup_session_new_with_options ("timeout", 30, NULL);
  message = soup_message_new (method, url);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  g_clear_object (&session);
  g_main_context_pop_thread_default (context);

  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

JsonNode *
hsds_server_post (HsdsServer *server,
                  const char *path)
{
  return request (server, SOUP_METHOD_POST, path);
}

JsonNode *
hsds_server_get (HsdsServer *server,
                 const char *path)
{
  return request (server, SOUP_METHOD_GET, path);
}
