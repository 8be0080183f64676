/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* tests/hsds/hsds-server.py, the HSDS 3.0 API the directory sync is
 * tested and measured against, run on 127.0.0.1 for one test. */
typedef struct {
  GSubprocess *process;
  char *url;
} HsdsServer;

/* Starts the server with these options (a NULL-terminated list of
 * arguments after the script), waiting until it listens. */
HsdsServer *hsds_server_start      (const char * const  *arguments);
void        hsds_server_stop       (HsdsServer          *server);
/* POST @path (an /_admin/… path) and GET return the answer's JSON. */
JsonNode   *hsds_server_post       (HsdsServer          *server,
                                    const char          *path);
JsonNode   *hsds_server_get        (HsdsServer          *server,
                                    const char          *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HsdsServer, hsds_server_stop)

G_END_DECLS
